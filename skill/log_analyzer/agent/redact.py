"""Redaction: replace the secrets and personal data in log text with typed placeholders before
any of it reaches a model, and put them back in what the model sends to the tools.

Logs leak credentials in predictable places: connection URLs (`postgres://app:PASS@db`),
`key=value` and JSON pairs (`password=`, `"client_secret": "..."`), HTTP headers dumped by
request loggers and wire logs (`Authorization: Bearer ...`), vendor API keys with a known
prefix (`sk_live_`, `ghp_`, `AKIA`), JWTs (also cut short of their signature), PEM private
keys, cookies and session ids, passwords on command lines (`mysqldump -pPASS`, `--password X`),
raw hex keys where a secret is named, e-mail addresses, card numbers and US social security
numbers. Each is recognised by its shape or by the words around it, never by a guess about
random-looking text, so the identifiers an investigation lives on stay readable: trace, span and
request ids, UUIDs, commit hashes, digests, timestamps, ports, durations, `File.java:87`
citations and host names.

A placeholder names its kind and a number, `<email-2>`, and a value keeps its placeholder for
the life of the `Redactor`: the model can still see that the same user failed three logins, or
that two services used the same token, and it can search for `<email-2>`, which `restore` turns
back into the address before the tool runs. What a tool then says about that value (an error
repeating its argument) is sent back through `conceal`, which puts the placeholders back.

A PEM block spans lines: `redact_lines` redacts lines read from a file together and keeps one
line per line, so that line numbers stay true.

Everything is one compiled regular expression (the rules below, joined) and one replacement
callback that only runs on candidates; the few checks a regex cannot make (the Luhn digit of a
card number, an SSN's ranges, the words before a raw hex key, a masked value such as
`password=****`, an address's octets) happen there. About 0.2 ms per KB of log text: the
redactor can sit on every tool result.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable

KINDS = ("private-key", "jwt", "aws-key", "token", "password", "email", "card", "ssn", "ip")
"""Every placeholder kind, in the order `Redactor.counts` reports them."""

PLACEHOLDER = re.compile(rf"<(?:{'|'.join(KINDS)})-[1-9][0-9]*>")
"""What a placeholder looks like. No rule matches one, so redacting twice changes nothing."""

_NOT_PLACEHOLDER = rf"(?!{PLACEHOLDER.pattern})"

# --- the rules ------------------------------------------------------------------------------------
# Each rule begins with a literal character or a character class, so that the engine rejects
# most positions with one comparison; a boundary check, when the rule needs one, comes right
# after and looks back over that first character (`(?<![\w.].)`: nothing word-like before it).
# At one position the first rule listed wins.

# A newline as it may appear in a log: real, or escaped once, twice or three times in JSON.
_NEWLINE = r"(?:\r?\n|\\{1,3}r\\{1,3}n|\\{1,3}n)"
# A line of a PEM body: 20 or more base64 characters (key material, whatever follows: a block
# cut off mid-line), or a shorter run that ends its line (the last line of the body).
_PEM_RUN = (
    r"(?:[A-Za-z0-9+/]{20,}+=*+"
    rf"|[A-Za-z0-9+/]++=*+(?=[ \t]*+(?:{_NEWLINE}|[\r\"',}}\]]|\Z)))"
)
_PEM_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"
_PRIVATE_KEY = (
    rf"-----BEGIN {_PEM_LABEL}-----"
    rf"(?:(?:[ \t]|{_NEWLINE})++(?:{_PEM_RUN}|(?:Proc-Type|DEK-Info):[^\r\n\\\"]*+))*+"
    rf"(?:(?:[ \t]|{_NEWLINE})*+-----END {_PEM_LABEL}-----)?"
)
_B64URL = r"[A-Za-z0-9_-]"
# the signature is optional: a JWT cut at a fixed width (a log line's, a result's) keeps its
# payload, which names the user
_JWT = rf"eyJ(?<!{_B64URL}eyJ){_B64URL}{{8,}}+\.{_B64URL}{{8,}}+(?:\.{_B64URL}*+)?"
_AWS_KEY_ID = r"A(?<![A-Za-z0-9]A)[KS]IA[A-Z0-9]{16}(?![A-Za-z0-9])"
# Vendor keys recognisable by their prefix alone.
_NOT_AFTER_KEY_CHAR = r"(?<![A-Za-z0-9_-].)"
_API_KEY = (
    rf"[sgxArwnS]{_NOT_AFTER_KEY_CHAR}(?:"
    r"(?<=s)k-[A-Za-z0-9_-]{20,}+"  # OpenAI, Anthropic (sk-proj-, sk-ant-api03-)
    r"|(?<=g)(?:h[pousr]_[A-Za-z0-9]{36,}+|ithub_pat_[A-Za-z0-9_]{22,}+)"  # GitHub
    r"|(?<=x)ox[abposr]-[A-Za-z0-9-]{10,}+"  # Slack
    r"|(?<=A)Iza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"  # Google
    r"|(?<=g)lpat-[A-Za-z0-9_-]{20,}+"  # GitLab
    r"|(?<=[rs])k_(?:live|test)_[A-Za-z0-9]{16,}+|(?<=w)hsec_[A-Za-z0-9+/=]{24,}+"  # Stripe
    r"|(?<=n)pm_[A-Za-z0-9]{36,}+"  # npm
    r"|(?<=S)G\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"  # SendGrid
    r")"
)
# An unquoted value ends at what delimits values in logs: whitespace, quotes, `,;&`, brackets,
# `<>` and a backslash (`[\r][\n]` in wire logs, `\"` in escaped JSON). `{bcrypt}` and
# `{noop}` prefixes of Spring Security's encoded passwords belong to the value; a `${VAR}`
# reference is read whole (and kept: it is not the secret).
_BARE_VALUE = r"(?:\$\{[^}\s]*+\}?|(?:\{\w+\})?[^\s\"',;&<>()\[\]{}\\]++)"
# A text may end inside a URL where something upstream cut it at a fixed width: what is left
# of the password, `postgres://app:Pa` at the very end, is still one (a number there: a port).
_CREDENTIAL_URL = (
    r"[A-Za-z](?<![A-Za-z0-9+.-].)[A-Za-z0-9+.-]*+://[^\s:/?#@\"'<>]*+:"
    rf"(?P<url_value>{_NOT_PLACEHOLDER}[^\s/?#\"']+)(?:@|(?P<url_cut>)\Z)"
)
_AUTH_SCHEMES = (
    r"basic|bearer|token|digest|negotiate|ntlm|api-?key|key|oauth|jwt|ssws|aws4-hmac-sha256"
)
# A known scheme stays readable; after an unknown one (`Splunk abc`), both words are replaced.
_AUTHORIZATION = (
    r"[AaPp](?<![A-Za-z0-9_].)(?i:(?<=a)|(?<=p)roxy-a)(?i:uthorization)"
    r"\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
    rf"(?:(?i:{_AUTH_SCHEMES})[ \t]+)?+(?P<auth_value>{_NOT_PLACEHOLDER}"
    rf"(?!(?i:{_AUTH_SCHEMES})(?![\w-]))(?:[A-Za-z]{{1,20}}[ \t]+(?={_BARE_VALUE}))?{_BARE_VALUE})"
)
_TOKEN68 = r"[A-Za-z0-9._~+/-]"
_BEARER = (
    rf"[Bb]{_NOT_AFTER_KEY_CHAR}(?i:earer)[ \t]+(?P<bearer_value>{_NOT_PLACEHOLDER}"
    # a digit or punctuation, or length: `Bearer error=...` and `Bearer token` are words
    rf"(?:(?={_TOKEN68}*[0-9._~+/-]){_TOKEN68}{{8,}}+|{_TOKEN68}{{20,}}+)=*+)"
)
# The key names whose value is a secret; a key ends with one (`db_password`, `dbPassword`,
# `X-Api-Key`, `access_token`, `aws_secret_access_key`, `JSESSIONID`, `PHPSESSID`,
# `session_id`). `pass`, `sig` (Azure SAS) and the card
# security codes (`cvc`, `cvv2`) only as whole words; `signature` only as S3's
# `X-Amz-Signature` (this package's own results name failure signatures). Written as a tree on
# the first letter, which the first character class has already read. Not a path's last name
# (`/etc/passwd: refused` is a file and a reason, no credential).
_SECRET_KEY = (
    r"(?<!/)[PpSsTtAaCcEeMm](?i:"
    r"(?<=p)(?:assw(?:or)?d|wd|ass(?<![a-z]pass)|rivate[_-]?key)"
    r"|(?<=s)(?:(?P<aws_secret>ecret[_-]?access[_-]?key)|ecret(?:[_-]?key)?|igning[_-]?key"
    r"|ignature(?<=amz-signature)|ig(?<![a-z]sig)|(?P<session_key>ess(?:ion)?[_-]?id))"
    r"|(?<=t)oken|(?<=a)(?:pi[_-]?key|ccess[_-]?key|ccount[_-]?key)"
    r"|(?<=e)ncryption[_-]?key|(?<=m)aster[_-]?key"
    r"|(?<=c)(?:redentials?|(?P<card_code>(?<![a-z]c)v[cv]2?)))"
)
_PAIR = (
    rf"(?P<key>{_SECRET_KEY})\\?[\"']?[ \t]*(?:=>|:=|[:=])[ \t]*(?:"
    rf"\"(?P<double_quoted>{_NOT_PLACEHOLDER}(?:[^\"\\\r\n]|\\.)++)\""
    rf"|'(?P<single_quoted>{_NOT_PLACEHOLDER}[^'\r\n]++)'"
    # JSON inside a JSON string: `\"password\":\"...\"`, perhaps cut off before its end
    rf"|\\{{1,3}}\"(?P<escaped>{_NOT_PLACEHOLDER}(?:(?!\\{{1,3}}\")[^\r\n])++)"
    rf"(?:\\{{1,3}}\"|(?=[\r\n])|\Z)"
    # a PEM block is left to its own rule, which knows where it ends
    rf"|[\"']?(?P<bare>{_NOT_PLACEHOLDER}(?!-----BEGIN){_BARE_VALUE}))"
)
# Cookies: every value of a `Cookie` or `Set-Cookie` header but the attributes (`Path=/`,
# `Expires=...`); the callback keeps short words of cookies that name no session (`theme=dark`).
_PLACEHOLDER_TEXT = rf"<(?:{'|'.join(KINDS)})-[1-9][0-9]*>"
_COOKIE_VALUE = rf"(?:{_PLACEHOLDER_TEXT}|[^;\s\"'\\,<>])*+"
_COOKIE_PAIR = (
    r"(?:(?i:expires)=[A-Za-z]{3},[ \t][^;\r\n\"'\\]*+"
    rf"|[\w!#$%&*+.^`|~-]++={_COOKIE_VALUE}"
    r"|(?i:secure|httponly|partitioned)(?![\w=]))"
)
_COOKIE = (
    r"[CcSs](?<![\w-].)(?i:(?<=s)et-cookie2?|(?<=c)ookie2?)"
    r"\\?[\"']?[ \t]*[:=][ \t]*\\?[\"']?"
    rf"(?P<cookie_value>{_COOKIE_PAIR}(?:;[ \t]*{_COOKIE_PAIR})*+)"
)


def _cli_value(name: str) -> str:
    """A password given as a command-line argument: quoted, or up to the next blank."""
    return (
        rf"(?:'(?P<{name}_single>{_NOT_PLACEHOLDER}[^'\r\n]++)'"
        rf"|\"(?P<{name}_double>{_NOT_PLACEHOLDER}[^\"\r\n]++)\""
        rf"|(?P<{name}_bare>{_NOT_PLACEHOLDER}(?!-)[^\s'\"|;&<>]++))"
    )


# Passwords on command lines: MySQL's `-pPASS` (glued: `-p PASS` prompts, and PASS is the
# database), `--password PASS` and its kin (`--db-password`, keytool's `-storepass`; the `=`
# form is a pair), `sshpass -p PASS`, `redis-cli -a PASS`.
_ARGUMENT = r"[ \t]++[^\s|;&<>]++"
_MYSQL_CLI = (
    r"m(?<![\w.-].)(?:ysql|ariadb)[\w-]*+"
    rf"(?:{_ARGUMENT})*?[ \t]++-p(?=[^\s]){_cli_value('mysql')}"
)
_FLAG_PASSWORD = (
    r"-(?<![\w-].)-?+(?i:(?:[a-z0-9]+[_-]?)??(?<!by)(?<!com)pass(?:word|wd|phrase)?)"
    rf"[ \t]++{_cli_value('flag')}"
)
_SSHPASS = rf"s(?<![\w.-].)shpass[ \t]++-p[ \t]*+{_cli_value('sshpass')}"
_REDIS_CLI = rf"r(?<![\w.-].)edis-cli(?:{_ARGUMENT})*?[ \t]++-a[ \t]++{_cli_value('redis')}"
# A token named by a word and a space, not `=` or `:` (those are pairs): `AuthToken 3f9a...`,
# `X-Auth-Token 9f8e...`. The value has a digit and 16 characters: `token expired` is prose.
_TOKEN_WORD = (
    r"[AaSsRrTtXxIi](?<![\w-].)(?i:(?<=a)(?:uth|ccess|pi)[_-]?token|(?<=s)ession[_-]?token"
    r"|(?<=r)efresh[_-]?token|(?<=i)d[_-]?token|(?<=t)oken|(?<=x)-auth-token)"
    rf"[ \t]++(?P<word_value>{_NOT_PLACEHOLDER}(?=[A-Za-z0-9._~+/=-]*[0-9])"
    r"[A-Za-z0-9._~+/=-]{16,}+)"
)
# 64 hex digits or more (a raw 256-bit key, `0x` or not); the callback keeps it unless a word
# before it on its line names a secret (digests, checksums and commit hashes stay).
_HEX_KEY = r"[0-9A-Fa-f](?<![\w.+/-].)(?:(?<=0)[xX])?[0-9A-Fa-f]{63,}+(?![\w.+/-])"
# US social security numbers: 3-2-4 digits in the ranges the SSA issues (checked in the callback)
_SSN = r"[0-8](?<![\w.,/+-].)[0-9]{2}-[0-9]{2}-[0-9]{4}(?![\w-]|[.,][0-9])"
_EMAIL = (
    r"[A-Za-z0-9._+-](?<![A-Za-z0-9._+-].)[A-Za-z0-9._+-]*+(?:@|%40)"
    r"(?:[A-Za-z0-9-]++\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])"
)
# 13 to 19 digits starting like a card (2-6: not epoch times, which start with 1), bare or in
# groups of four (Amex and Diners: 4-6-5, 4-6-4); the Luhn digit is checked in the callback.
_CARD = (
    r"[2-6](?<![\w.,-].)(?:[0-9]{12,18}"
    r"|[0-9]{3}(?P<sep>[ -])[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{1,7}"
    r"|(?<=3)[0-9]{3}(?P<amex_sep>[ -])[0-9]{6}(?P=amex_sep)[0-9]{4,5})(?![\w-]|[.,][0-9])"
)
# Addresses are matched loosely and checked in the callback (octets up to 255; an IPv6 address
# `ipaddress` accepts, with a digit in it: not `12:30:05`, a MAC address, a certificate serial or
# `dead::beef`). A version after a product name (`Chrome/134.0.0.0`) is not an address.
_IPV4 = r"[0-9](?<![\w.].)(?<!\w/.)[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![\w]|\.[0-9])"
_IPV6 = (
    r"[0-9A-Fa-f:](?<![\w:.].)(?:(?<=:)[0-9A-Fa-f]*+:|[0-9A-Fa-f]*+:[0-9A-Fa-f]*+:)"
    r"[0-9A-Fa-f:.]*(?<!\.)"
)

# rule -> (pattern, default kind, the groups holding the value to replace; none: the whole match)
_RULES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "private_key": (_PRIVATE_KEY, "private-key", ()),
    "jwt": (_JWT, "jwt", ()),
    "aws_key_id": (_AWS_KEY_ID, "aws-key", ()),
    "api_key": (_API_KEY, "token", ()),
    "credential_url": (_CREDENTIAL_URL, "password", ("url_value",)),
    "authorization": (_AUTHORIZATION, "token", ("auth_value",)),
    "bearer": (_BEARER, "token", ("bearer_value",)),
    "cookie": (_COOKIE, "token", ("cookie_value",)),
    "mysql_cli": (_MYSQL_CLI, "password", ("mysql_single", "mysql_double", "mysql_bare")),
    "flag_password": (_FLAG_PASSWORD, "password", ("flag_single", "flag_double", "flag_bare")),
    "sshpass": (_SSHPASS, "password", ("sshpass_single", "sshpass_double", "sshpass_bare")),
    "redis_cli": (_REDIS_CLI, "password", ("redis_single", "redis_double", "redis_bare")),
    "token_word": (_TOKEN_WORD, "token", ("word_value",)),
    "pair": (_PAIR, "password", ("double_quoted", "single_quoted", "escaped", "bare")),
    "hex_key": (_HEX_KEY, "token", ()),
    "email": (_EMAIL, "email", ()),
    "ssn": (_SSN, "ssn", ()),
    "card": (_CARD, "card", ()),
    "ipv6": (_IPV6, "ip", ()),
    "ipv4": (_IPV4, "ip", ()),
}
_IP_RULES = ("ipv6", "ipv4")


def _compile(ips: bool) -> re.Pattern[str]:
    """The rules joined, each closed by an empty group named after it: `match.lastgroup`."""
    rules = [name for name in _RULES if ips or name not in _IP_RULES]
    return re.compile("|".join(f"{_RULES[name][0]}(?P<{name}>)" for name in rules))


_PATTERN = _compile(ips=False)
_PATTERN_WITH_IPS = _compile(ips=True)

# A value found by its context is typed by its shape when it has one: the JWT after
# `access_token=` is a `jwt`, the `sk_live_` key after `api_key=` a `token`.
_SHAPED = re.compile(
    rf"(?P<jwt>{_JWT})|(?P<aws>{_AWS_KEY_ID})|(?P<api>{_API_KEY})|(?P<pem>-----BEGIN .*)",
    re.DOTALL,
)
_SHAPE_KINDS = {"jwt": "jwt", "aws": "aws-key", "api": "token", "pem": "private-key"}
# Values a secret key may hold that are not secrets: flags, masks, template references.
_NOT_SECRET = re.compile(
    r"(?i:true|false|null|nil|none|yes|no|n/a|\*+|x{3,}|%s|\{\}|\$\{[^}]*\}?|\{\{[^}]*\}\}"
    r"|[<\[(]?(?:redacted|masked|protected|hidden|filtered|removed|omitted)[>\])]?"
    r"|[<\[(](?:secret|sensitive)[>\])])"  # a bare `secret` is a password people do use
)


KNOWN_MIN = 8
KNOWN_MIN_WORD = 12


def escaped_forms(value: str) -> set[str]:
    """The ways a value may be written in a message or a result: as it is, escaped as JSON,
    as Python's repr, JSON of a repr, and with `</` guarded as `wrap_untrusted` guards it."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        json.dumps(repr(value)[1:-1], ensure_ascii=False)[1:-1],
    }
    forms |= {form.replace("</", "<\\/") for form in forms}
    forms.discard("")
    return forms


def concealer(restored: dict[str, str]) -> Callable[[str], str]:
    """`Redactor.conceal` for one set of restored values, compiled once."""
    if not restored:
        return _same
    forms: dict[str, str] = {}
    for value, placeholder in restored.items():
        for form in escaped_forms(value):
            forms.setdefault(form, placeholder)
    alternatives = sorted(forms, key=len, reverse=True)
    pattern = re.compile(
        f"{PLACEHOLDER.pattern}|" + "|".join(re.escape(form) for form in alternatives)
    )

    def conceal(text: str) -> str:
        return pattern.sub(lambda match: forms.get(match[0], match[0]), text)

    return conceal


def _same(text: str) -> str:
    return text


def _hex_key_kind(match: re.Match[str]) -> str | None:
    """The kind of a raw hex key, from the words before it on its line; None when they name
    no secret, or say it is a digest or a public key."""
    text = match.string
    start = match.start()
    before = text[max(0, start - _HEX_CONTEXT) : start]
    before = before[before.rfind("\n") + 1 :]
    if _HEX_DIGEST.search(before) or not _HEX_SECRET_WORD.search(before):
        return None
    private = _HEX_PRIVATE.search(before)
    if "public" in before.lower() and not private:
        return None
    return "private-key" if private and "priv" in private[0].lower() else "token"


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits ends with a correct Luhn check digit (as card numbers do)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _ipv4(text: str) -> bool:
    return all(int(octet) <= 255 for octet in text.split("."))


def _ipv6(text: str) -> bool:
    if not any(char.isdigit() for char in text):
        return False
    if "::" not in text and all(len(group) == 2 for group in text.split(":")):
        return False  # a certificate serial or a fingerprint (`5f:3a:91:0c:7e:22:b4:d1`)
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _card(text: str) -> bool:
    return luhn_valid(text.replace(" ", "").replace("-", ""))


def _ssn(text: str) -> bool:
    area, group, serial = text.split("-")
    return area not in ("000", "666") and group != "00" and serial != "0000"


def _any(_text: str) -> bool:
    return True


# What a regex cannot check: rule -> whether its match is one.
_CHECKS = {"card": _card, "ssn": _ssn, "ipv4": _ipv4, "ipv6": _ipv6}

# Around a raw hex key: the words that make it a secret, and what makes it something else.
_HEX_SECRET_WORD = re.compile(
    r"(?i:priv|secret|seed|passphrase|password|token|key|hmac|signing|credential)"
)
_HEX_DIGEST = re.compile(r"(?i:(?:sha-?[0-9]+|md5|blake2b?|digest)[:=]?$)")
_HEX_PRIVATE = re.compile(r"(?i:priv|secret)")
_HEX_CONTEXT = 48  # characters before the key, on its line, that may name it

# Cookie attributes (kept), names that say a cookie holds a session, values that are words.
_COOKIE_ITEM = re.compile(r"(?P<name>[^=;\s]+)=(?P<value>[^;]*)")
_COOKIE_ATTRIBUTES = frozenset(
    ("path", "domain", "expires", "max-age", "samesite", "priority", "version", "comment")
)
_SESSION_COOKIE = re.compile(
    r"(?i:sess|sid|auth|tok|jwt|key|secret|csrf|xsrf|remember|login|pass|cred|sig)"
)
_PLAIN_COOKIE = re.compile(r"[A-Za-z]{1,12}(?:[-_][A-Za-z]{1,12})?|[0-9]{1,3}")
# A value on a command line that refers to a secret instead of holding it: `-p$MYSQL_PWD`.
_REFERENCE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*+|%[A-Za-z_]+%")


class Redactor:
    """Replaces secrets and personal data with placeholders, consistently, and restores them.

    One instance per conversation with a model: its memory of which value got which placeholder
    is what makes `<email-1>` mean the same address in every tool result, and what lets
    `restore` resolve the placeholders the model writes back. It only ever restores placeholders
    it issued. IP addresses are kept unless `ips=True`: they are often the evidence (which
    client, which pod) and rarely a secret. Not thread-safe.
    """

    __slots__ = ("_counts", "_known", "_known_size", "_pattern", "_placeholders", "_values")

    def __init__(self, *, ips: bool = False) -> None:
        self._pattern = _PATTERN_WITH_IPS if ips else _PATTERN
        self._placeholders: dict[str, str] = {}  # value -> placeholder
        self._values: dict[str, str] = {}  # placeholder -> value
        self._counts: dict[str, int] = {}
        self._known: list[str] = []  # the values `conceal_known` looks for, longest first
        self._known_size = 0

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by its placeholder (the same one on every call)."""
        return self._pattern.sub(self._replace, text)

    def redact_lines(self, lines: list[str]) -> list[str]:
        """Lines of a file redacted together, so that a block spanning lines (a PEM key) is
        recognised whole; one line comes back for each line given (each line a block covered
        holds its placeholder), so line numbers stay true."""
        if not lines:
            return []
        text = self._pattern.sub(self._replace_keeping_lines, "\n".join(lines))
        return text.split("\n")

    def restore(
        self,
        text: str,
        *,
        escape: Callable[[str], str] | None = None,
        restored: dict[str, str] | None = None,
    ) -> str:
        """`text` with the placeholders this redactor issued replaced by the original values;
        other placeholder-like text stays as it is. `escape` writes a value as the text needs
        it (`regex.escape` in a regular expression); `restored` collects what was put back
        (the text written -> its placeholder), for `conceal`."""
        if "<" not in text or not self._values:
            return text

        def value(match: re.Match[str]) -> str:
            original = self._values.get(match[0])
            if original is None:
                return match[0]
            written = escape(original) if escape is not None else original
            if restored is not None:
                restored[original] = match[0]
                restored[written] = match[0]
            return written

        return PLACEHOLDER.sub(value, text)

    def conceal(self, text: str, restored: dict[str, str]) -> str:
        """`text` with every value in `restored` (as written, or escaped as JSON or Python's
        repr escape it in a message) replaced by its placeholder again: what a tool says about
        an argument it received restored must not carry the value back to the model."""
        return concealer(restored)(text)

    def conceal_known(self, texts: list[str]) -> list[str]:
        """`texts` with every value this redactor has replaced so far put back as its
        placeholder wherever it appears, whatever the words around it: a value rewritten by
        the analysis (a group label drops the `=` of `secret_key=...`) is no longer in a
        context a rule recognises. Values shorter than `KNOWN_MIN` characters (words of
        letters shorter than `KNOWN_MIN_WORD`) are left alone: they would replace common
        words."""
        if len(self._placeholders) != self._known_size:
            self._known = sorted(
                (
                    value
                    for value in self._placeholders
                    if len(value) >= (KNOWN_MIN_WORD if value.isalpha() else KNOWN_MIN)
                ),
                key=len,
                reverse=True,
            )
            self._known_size = len(self._placeholders)
        if not self._known or not texts:
            return texts
        joined = "\x00".join(texts)
        present = [value for value in self._known if value in joined]
        if not present:
            return texts
        pattern = re.compile(
            f"{PLACEHOLDER.pattern}|" + "|".join(re.escape(value) for value in present)
        )
        placeholders = self._placeholders

        def one(match: re.Match[str]) -> str:
            return placeholders.get(match[0], match[0])

        return [pattern.sub(one, text) for text in texts]

    @property
    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced (kinds never seen are left out)."""
        return {kind: self._counts[kind] for kind in KINDS if kind in self._counts}

    def _replace_keeping_lines(self, match: re.Match[str]) -> str:
        replaced = self._replace(match)
        missing = match[0].count("\n") - replaced.count("\n")
        if missing <= 0:
            return replaced
        placeholders = PLACEHOLDER.findall(replaced)
        return replaced + f"\n{placeholders[-1] if placeholders else ''}" * missing

    def _replace(self, match: re.Match[str]) -> str:
        rule = match.lastgroup
        assert rule is not None  # every alternative is a named group
        _, kind, value_groups = _RULES[rule]
        if rule == "cookie":
            return self._cookie(match)
        if not value_groups:
            value = match[0]
            if rule == "hex_key":
                named = _hex_key_kind(match)
                if named is None:
                    return value
                kind = named
            if _CHECKS.get(rule, _any)(value):
                return self._placeholder(kind, value)
            return value
        group = next(name for name in value_groups if match.start(name) >= 0)
        value = match[group]
        if rule == "credential_url" and match.start("url_cut") >= 0 and value.isdigit():
            return match[0]  # `https://host:8443` at the end: a port
        if rule == "pair":
            key = match["key"]
            if _NOT_SECRET.fullmatch(value) or (key.lower() == "pwd" and value[0] in "/~"):
                return match[0]  # a masked value, a flag; `PWD=/srv/app` is a directory
            if match.start("aws_secret") >= 0:
                kind = "aws-key"
            elif match.start("card_code") >= 0:
                kind = "card"
            elif match.start("session_key") >= 0:
                kind = "token"
        elif _NOT_SECRET.fullmatch(value) or _REFERENCE.fullmatch(value):
            return match[0]  # `--password ****`, `-p$MYSQL_PWD`
        shaped = _SHAPED.fullmatch(value)
        if shaped is not None and shaped.lastgroup is not None:
            kind = _SHAPE_KINDS[shaped.lastgroup]
        start, end = match.start(group) - match.start(), match.end(group) - match.start()
        whole = match[0]
        return whole[:start] + self._placeholder(kind, value) + whole[end:]

    def _cookie(self, match: re.Match[str]) -> str:
        """A cookie header: each cookie's value, not the attributes, nor a cookie whose name
        says no session and whose value is a plain word (`theme=dark`)."""

        def one(item: re.Match[str]) -> str:
            name, value = item["name"], item["value"]
            if (
                not value
                or name.lower() in _COOKIE_ATTRIBUTES
                or PLACEHOLDER.fullmatch(value)
                or _NOT_SECRET.fullmatch(value)
                or (_PLAIN_COOKIE.fullmatch(value) and not _SESSION_COOKIE.search(name))
            ):
                return item[0]
            shaped = _SHAPED.fullmatch(value)
            kind = "token"
            if shaped is not None and shaped.lastgroup is not None:
                kind = _SHAPE_KINDS[shaped.lastgroup]
            return f"{name}={self._placeholder(kind, value)}"

        start = match.start("cookie_value") - match.start()
        whole = match[0]
        return whole[:start] + _COOKIE_ITEM.sub(one, match["cookie_value"])

    def _placeholder(self, kind: str, value: str) -> str:
        placeholder = self._placeholders.get(value)
        if placeholder is None:
            number = self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"<{kind}-{number}>"
            self._placeholders[value] = placeholder
            self._values[placeholder] = value
        return placeholder
