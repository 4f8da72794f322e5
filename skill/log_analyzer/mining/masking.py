"""Variable masking: replace the parts of a message that differ between occurrences of the same
event (numbers, ids, addresses, times) with `<*>`.

A mask spans whitespace only for a number and its unit (`12 ms`); parameters are read back
from the raw message with the template's own pattern (see `templates.Template.parameters`).

Time is linear in the length of a message, and a masked form stays of ordinary size: past
`MAX_TOKENS` tokens, `MAX_CHARS` characters or `MAX_VARIABLES` variables the rest of a message
is one variable, and no mask rescans a token from each of its characters (a URL's scheme is at
most `MAX_SCHEME` characters, so a run of letters before `://` is read once per character, not
once per pair of characters).
"""

from __future__ import annotations

import re
from functools import lru_cache

WILDCARD = "<*>"
# Tokens (as `str.split()` counts them) masked one by one; the rest of a longer message is one
# variable. Far above real messages (the longest of the Loghub-2k, benchmark and fixture logs
# has under 400), far below a megabyte line's quarter of a million.
MAX_TOKENS = 512
# The same for characters and variables (the longest such message seen, a 26 KB JSON payload,
# has 1,602 variables): the template's pattern (`Template.parameters`) stays quick to build.
MAX_CHARS = 32_768
MAX_VARIABLES = 2_048
# The longest URL scheme read before `://` (`svn+ssh`, `chrome-extension`). Unbounded, the
# scheme pattern scanned the rest of a run of letters and digits from every letter in it, which
# is quadratic in the run's length.
MAX_SCHEME = 64

# URLs: a scheme of letters, digits and `+.-` (possessive: `:` ends it, so giving characters
# back never helps), `://`, then anything up to white space or a quote, but not the punctuation
# that ends it in a sentence (`see http://x/y.`, `sync.x-coredata://.../p11:`).
_URL = rf"[a-zA-Z][a-zA-Z0-9+.\-]{{0,{MAX_SCHEME - 1}}}+://[^\s\"'<>]*[^\s\"'<>.,:;!?)\]]"
_EMAIL = r"(?<![\w.+\-])[\w.+\-]+@[a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)+"
_MASKS = (
    # URLs and e-mail addresses
    _URL,
    _EMAIL,
    # host names (at least three labels, a lower-case top-level label: not Java class
    # names, which end in a capitalised class), with an optional port
    r"(?<![\w.\-])(?:[A-Za-z0-9\-]+\.){2,}[a-z]{2,}(?::\d+)?(?![\w.\-])",
    # UUIDs, IPv4 with port, IPv6 and MAC addresses
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?(?![\d.]\d)",
    # dates and times written inside messages
    r"\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",
    r"(?<!\d)\d\d:\d\d:\d\d(?:[.,]\d+)?",
    # IPv6 (compressed with `::`, or with at least six groups) and MAC addresses
    r"(?<![\w:])(?=[0-9a-fA-F:]*::|(?:[0-9a-fA-F]{1,4}:){5})[0-9a-fA-F]{0,4}"
    r"(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])",
    # hexadecimal: 0x numbers, and ids mixing hex letters and digits (commit hashes,
    # object ids, request ids)
    r"0[xX][0-9a-fA-F]+",
    r"(?<![0-9a-zA-Z])(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}(?![0-9a-zA-Z])",
    # a quantity glued to its unit (`12ms`, `<1sec`, `3.5GB`)
    r"(?<![A-Za-z0-9])[<>~]?\d+(?:[.,]\d+)?(?:ms|us|ns|sec|secs|seconds?|mins?|minutes?|"
    r"hours?|[KMGT]i?B|bytes)(?![A-Za-z0-9])",
    # numbers with an optional unit or suffix (12ms, 3.5GB, 200OK is not one: the
    # lookahead keeps words whole), signed, with separators (1,024 / 1.2.3)
    r"(?<![A-Za-z0-9])[<>~]?[-+]?\d+(?:[.,:]\d+)*(?:[a-zA-Z]{1,3}|%)?(?![A-Za-z0-9])",
    # digits glued to a name: blk_123, worker12, t761 (not utf8 or ipv4)
    r"(?<=_)\d+|(?<=[A-Za-z])\d{2,}(?![A-Za-z])",
)
_MASK = re.compile("|".join(_MASKS))
# The same without the URL pattern, for the tokens without `://` (most of them): it cannot
# match there, and leaving it out saves trying it at every letter.
_MASK_NO_URL = re.compile("|".join(_MASKS[1:]))
_RUNS = re.compile(r"<\*>(?:[.:\-/_,]*<\*>)+")
# Across tokens, after the token masks: `1,024 bytes (1.00 KB)` restates a quantity in other
# units, which adds nothing to the event; a number and its unit (`12 ms`, `<1 sec`) are one
# quantity, so `12 ms` and `00:01` mask alike; the names of days and months before a masked day
# number are part of a date (`Fri Jul  1 09:00:55 2005`).
_UNIT = re.compile(
    r"(?<=<\*>) (?:ms|us|ns|s|sec|secs|seconds?|mins?|minutes?|hours?|[KMGT]i?B|B|bytes)\b"
)
_DATE_NAMES = re.compile(
    r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|"
    r"Dec)(?= +<\*>)"
)
MAX_GROUP = 3  # tokens of a group repeated in a list (`node-<*> <*> <ok>`)
# A token or a group of up to three repeated at once (possessive: linear in the length).
_REPEATED = re.compile(r"(?<!\S)(\S++(?:\s++\S++){0,2})\s++\1(?!\S)")
# A name ending in a number (`dadmin2`, `node-12`), and a run of them (`dadmin2 dadmin3`).
_NUMBERED_NAME = re.compile(r"[A-Za-z][\w\-]*?\d+|[A-Za-z][\w\-]*<\*>")
_NUMBERED_RUN = re.compile(r"(?<!\S)([A-Za-z][A-Za-z_\-]*)\d+\s+\1\d+(?!\S)")
_NUMBER = re.compile(r"\d+")
_RESTATED = re.compile(r"(?<=<\*> bytes) \(<\*> ?[KMGT]i?B\)")
# Whether a token may hold a variable at all: a digit, an `@`, or two dots (a host name).
_MAY_VARY = re.compile(r"[\d@]|\..*\.")
_HOST = re.compile(
    r"((?:[A-Za-z_][\w.\-]*+=)?[(\[<'\"]*)((?:[A-Za-z0-9\-]+\.){2,}[a-z]{2,}(?::\d+)?)([)\]>'\",;:.]*)"
)
# URLs and e-mail addresses, the variables a digit-free token can hold
_ADDRESS = re.compile(f"{_URL}|{_EMAIL}")
_EMAIL_ONLY = re.compile(_EMAIL)
_DIGIT = re.compile(r"\d")


def _collapse(masked: str, numbered: bool) -> str:
    """A list is one variable: a token or a group of up to `MAX_GROUP` tokens with a variable,
    repeated (`blk_<*> blk_<*> blk_<*>`, `node-<*> <*> <ok> node-<*> <*> <ok>`), is written
    once, and so is a run of numbered names (`dadmin2 dadmin3 dadmin4` is `dadmin<*>`): lists
    of any length are one event. `numbered`: the message has names with digits in them."""
    tokens = masked.split()
    repeated = len(set(tokens)) < len(tokens) and _REPEATED.search(masked) is not None
    if not repeated and not (numbered and _NUMBERED_RUN.search(masked)):
        return masked  # no list: two C-level checks for most messages
    kept: list[str] = []
    for token in tokens:
        kept.append(token)
        for size in range(1, MAX_GROUP + 1):
            if len(kept) < 2 * size:
                break
            group, before = kept[-size:], kept[-2 * size : -size]
            if group == before and any(WILDCARD in part for part in group):
                del kept[-size:]
                break
            if (
                size == 1
                and _NUMBERED_NAME.fullmatch(token)
                and _digits(token) == _digits(before[0])
            ):
                del kept[-1]
                kept[-1] = _digits(token)
                break
    return " ".join(kept) if len(kept) < len(tokens) else masked


def _digits(token: str) -> str:
    return _NUMBER.sub(WILDCARD, token)


def _mask_token(token: str) -> str:
    """A token masked on its own, remembered: tokens recur (`status=200`, `(9`, `HHH900:`)
    far more often than the regexes' cost per character suggests."""
    masked = _TOKENS.get(token)
    if masked is None:
        hexed = _HEX_ID.fullmatch(token)
        if hexed is not None:  # one of many ids, rarely seen twice: not remembered
            return hexed.group(1) + WILDCARD + hexed.group(2)
        masked = _mask_new_token(token)
        if len(_TOKENS) >= MAX_REMEMBERED_TOKENS:
            _TOKENS.clear()
        _TOKENS[token] = masked
    return masked


# An id of hex letters and digits, alone or after a word and `_`, in a bracket or before one
# mark (`2b4f27`, `ord_6cdbd3f436`, `(d76a8e:`): the hex mask takes it whole, and nothing else
# in the token can match (no mask matches letters alone, an `_` or a bracket, none before the
# hex mask in `_MASKS` fits hex digits without a `-`, `.`, `:`, `@` or an `x`, and one mark
# after a letter or digit starts none), so one anchored match gives the mask without the scan.
_HEX_ID = re.compile(
    r"([(\[]?(?:[A-Za-z]+_)?)(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}"
    r"([)\]:,;.]?)"
)
MAX_REMEMBERED_TOKENS = 65_536  # about 10 MB of tokens at most; cleared when full
_TOKENS: dict[str, str] = {}
# A name and `=` before a value with a digit (`customer=cus_5191a901`): the masks read the same
# on the value alone, so the value is looked up apart and `customer=`'s tokens share it. Exact:
# no mask can match the letters and underscores of the name, none spans the `=` (a URL's
# scheme cannot hold it), and every look-behind of a mask reads `=` as it reads the start of
# a token (neither is a letter, digit, `_`, `.`, `-`, `+` or `:`).
_NAMED_VALUE = re.compile(r"([A-Za-z_]+=)(.+)", re.DOTALL)


def _mask_new_token(token: str) -> str:
    if _DIGIT.search(token) is not None:
        named = _NAMED_VALUE.fullmatch(token)
        if named is not None:
            return named.group(1) + _mask_token(named.group(2))
        return (_MASK if "://" in token else _MASK_NO_URL).sub(WILDCARD, token)
    if "://" in token:
        return _ADDRESS.sub(WILDCARD, token)
    if "@" in token:
        return _EMAIL_ONLY.sub(WILDCARD, token)
    host = _HOST.fullmatch(token)  # anchored: no scan of class names at every position
    return f"{host.group(1)}{WILDCARD}{host.group(3)}" if host else token


def _head(message: str) -> tuple[str, str]:
    """The part of `message` masked token by token (at most `MAX_CHARS` characters and
    `MAX_TOKENS` tokens), and what stands for the rest: nothing, or a variable, glued to the
    head when the cut falls inside a token."""
    rest = ""
    if len(message) > MAX_CHARS:
        inside = not message[MAX_CHARS - 1].isspace() and not message[MAX_CHARS].isspace()
        message = message[:MAX_CHARS]
        if inside:
            rest = WILDCARD
        else:
            message, rest = message.rstrip(), " " + WILDCARD
    if len(message) > 2 * MAX_TOKENS:  # shorter, it cannot hold more tokens
        pieces = message.split(None, MAX_TOKENS)
        if len(pieces) > MAX_TOKENS:
            message = message[: len(message) - len(pieces[-1])].rstrip()
            rest = " " + WILDCARD
    return message, rest


def mask(message: str) -> str:
    """`message` with its variable parts replaced by `<*>` (`mask_text`), remembered: an error
    repeats its first line word for word far more often than not (a retry loop, a health
    check), and masking is most of what a warning or error record costs to group."""
    return _mask_cached(message) if len(message) <= _CACHED_CHARS else mask_text(message)


_CACHED_CHARS = 512  # longer lines are rarely repeated, and would fill the cache


def mask_text(message: str) -> str:
    """`message` with its variable parts replaced by `<*>`.

    Token by token: most tokens are plain words, told apart with one C-level call, and the
    mask regex runs only on the few that may hold a variable. Past `MAX_TOKENS` tokens,
    `MAX_CHARS` characters or `MAX_VARIABLES` variables, the rest of the message is one `<*>`:
    a megabyte line becomes a template of ordinary size."""
    if len(message) > MAX_CHARS or len(message) > 2 * MAX_TOKENS:
        message, rest = _head(message)
    else:
        rest = ""
    parts = message.split(" ")
    changed = bool(rest)
    numbered = 0  # names with a digit left as they are (`eth0`, `dadmin2`)
    repeats = False  # a list is likely: `_collapse` looks
    recent = ("", "", "")  # the last three masked tokens
    variables = 0
    for index, token in enumerate(parts):
        if token.isalpha() or not token:
            continue
        if token.isdigit():
            masked_token = WILDCARD
        elif _MAY_VARY.search(token) is None:
            continue
        else:
            masked_token = _mask_token(token)
            if masked_token == token:
                numbered += 1
                continue
        parts[index] = masked_token
        changed = True
        if (index and masked_token == parts[index - 1]) or (
            variables >= 3 and masked_token in recent
        ):
            repeats = True  # maybe a list (a variable token again, at once or soon after)
        recent = (recent[1], recent[2], masked_token)
        variables += masked_token.count(WILDCARD)
        if variables > MAX_VARIABLES:  # this token's extra variables and the rest: one
            extra = variables - MAX_VARIABLES
            cut = len(masked_token)
            for _ in range(extra):
                cut = masked_token.rindex(WILDCARD, 0, cut)
            parts[index] = masked_token[:cut] + WILDCARD
            del parts[index + 1 :]
            rest = ""
            break
    if not changed:
        return _collapse(message, True) if numbered > 1 else message
    masked = " ".join(parts) + rest
    if len(masked) > _CACHED_CHARS:
        return _across_tokens(masked, repeats, numbered > 1)
    return _across_tokens_cached(masked, repeats, numbered > 1)


def _across_tokens(masked: str, repeats: bool, numbered: bool) -> str:
    """The masks that span tokens, on a message masked token by token: runs of variables,
    restated quantities, units, the names in dates, lists (`_collapse`)."""
    if masked.count(WILDCARD) > 1:
        masked = _RUNS.sub(WILDCARD, masked)
    if " bytes (<*>" in masked:
        masked = _RESTATED.sub("", masked)
    masked = _DATE_NAMES.sub(WILDCARD, _UNIT.sub("", masked))
    if repeats or numbered:
        masked = _collapse(masked, numbered)
    return masked


# Messages that differ in their ids mask alike token by token: what is left is remembered.
_across_tokens_cached = lru_cache(maxsize=4096)(_across_tokens)


# Error codes, kept where a failure is described (`cause` texts): the number after errno,
# error, code, status, signal, SQLSTATE, exit code, os error; the first element of a tuple
# (`(1040, 'Too many connections')`); a number that a reason follows (`(111: Connection
# refused)`); a prefixed code (`ORA-00942`). They tell failures apart that read alike
# (`[Errno 110]`, a timeout, and `[Errno 111]`, a refusal).
_ERROR_CODE = re.compile(
    r"(?i:\b(?:errno|error|err|code|status|signal|sqlstate|exit code|exit status|os error)"
    r"[ :=#\[]{1,3})(\d{1,6})\b"
    r"|^\((\d{1,6}),"
    r"|\((\d{1,6}): "
    r"|\b[A-Z]{2,8}-(\d{2,6})\b"
)


def mask_keeping_codes(text: str) -> str:
    """`mask(text)`, but with the error codes it holds kept as they are."""
    pieces: list[str] = []
    last = 0
    for match in _ERROR_CODE.finditer(text):
        group = next(n for n in range(1, 5) if match.group(n) is not None)
        start, end = match.span(group)
        pieces.append(mask(text[last:start]))
        pieces.append(text[start:end])
        last = end
    if not pieces:
        return mask(text)
    pieces.append(mask(text[last:]))
    return "".join(pieces)


_mask_cached = lru_cache(maxsize=8192)(mask_text)
