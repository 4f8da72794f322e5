"""Redaction: replace the secrets and personal data in log text with typed placeholders before
any of it reaches a model, and put them back in what the model sends to the tools.

Logs leak credentials in predictable places: connection URLs (`postgres://app:PASS@db`),
`key=value` and JSON pairs (`password=`, `"client_secret": "..."`), HTTP headers dumped by
request loggers and wire logs (`Authorization: Bearer ...`), vendor API keys with a known
prefix (`sk_live_`, `ghp_`, `AKIA`), JWTs, PEM private keys, e-mail addresses and card
numbers. Each is recognised by its shape or by the key in front of it, never by a guess about
random-looking text, so the identifiers an investigation lives on stay readable: trace, span and
request ids, UUIDs, commit hashes, timestamps, ports, durations, `File.java:87` citations and
host names.

A placeholder names its kind and a number, `<email-2>`, and a value keeps its placeholder for
the life of the `Redactor`: the model can still see that the same user failed three logins, or
that two services used the same token, and it can search for `<email-2>`, which `restore` turns
back into the address before the tool runs.

Everything is one compiled regular expression (the rules below, joined) and one replacement
callback that only runs on candidates; the few checks a regex cannot make (the Luhn digit of a
card number, a masked value such as `password=****`, an address's octets) happen there. About
0.12 ms per KB of log text: the redactor can sit on every tool result.
"""

from __future__ import annotations

import ipaddress
import re

KINDS = ("private-key", "jwt", "aws-key", "token", "password", "email", "card", "ip")
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
_JWT = rf"eyJ(?<!{_B64URL}eyJ){_B64URL}{{8,}}+\.{_B64URL}{{8,}}+\.{_B64URL}*+"
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
_CREDENTIAL_URL = (
    r"[A-Za-z](?<![A-Za-z0-9+.-].)[A-Za-z0-9+.-]*+://[^\s:/?#@\"'<>]*+:"
    rf"(?P<url_value>{_NOT_PLACEHOLDER}[^\s/?#\"']+)@"
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
# `X-Api-Key`, `access_token`, `aws_secret_access_key`). `pass`, `sig` (Azure SAS) and the card
# security codes (`cvc`, `cvv2`) only as whole words; `signature` only as S3's
# `X-Amz-Signature` (this package's own results name failure signatures). Written as a tree on
# the first letter, which the first character class has already read.
_SECRET_KEY = (
    r"[PpSsTtAaCcEeMm](?i:"
    r"(?<=p)(?:assw(?:or)?d|wd|ass(?<![a-z]pass)|rivate[_-]?key)"
    r"|(?<=s)(?:(?P<aws_secret>ecret[_-]?access[_-]?key)|ecret(?:[_-]?key)?|igning[_-]?key"
    r"|ignature(?<=amz-signature)|ig(?<![a-z]sig))"
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
    "pair": (_PAIR, "password", ("double_quoted", "single_quoted", "escaped", "bare")),
    "email": (_EMAIL, "email", ()),
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


def _any(_text: str) -> bool:
    return True


# What a regex cannot check: rule -> whether its match is one.
_CHECKS = {"card": _card, "ipv4": _ipv4, "ipv6": _ipv6}


class Redactor:
    """Replaces secrets and personal data with placeholders, consistently, and restores them.

    One instance per conversation with a model: its memory of which value got which placeholder
    is what makes `<email-1>` mean the same address in every tool result, and what lets
    `restore` resolve the placeholders the model writes back. It only ever restores placeholders
    it issued. IP addresses are kept unless `ips=True`: they are often the evidence (which
    client, which pod) and rarely a secret. Not thread-safe.
    """

    __slots__ = ("_counts", "_pattern", "_placeholders", "_values")

    def __init__(self, *, ips: bool = False) -> None:
        self._pattern = _PATTERN_WITH_IPS if ips else _PATTERN
        self._placeholders: dict[str, str] = {}  # value -> placeholder
        self._values: dict[str, str] = {}  # placeholder -> value
        self._counts: dict[str, int] = {}

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by its placeholder (the same one on every call)."""
        return self._pattern.sub(self._replace, text)

    def restore(self, text: str) -> str:
        """`text` with the placeholders this redactor issued replaced by the original values;
        other placeholder-like text stays as it is."""
        if "<" not in text or not self._values:
            return text
        return PLACEHOLDER.sub(lambda match: self._values.get(match[0], match[0]), text)

    @property
    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced (kinds never seen are left out)."""
        return {kind: self._counts[kind] for kind in KINDS if kind in self._counts}

    def _replace(self, match: re.Match[str]) -> str:
        rule = match.lastgroup
        assert rule is not None  # every alternative is a named group
        _, kind, value_groups = _RULES[rule]
        if not value_groups:
            value = match[0]
            if _CHECKS.get(rule, _any)(value):
                return self._placeholder(kind, value)
            return value
        group = next(name for name in value_groups if match.start(name) >= 0)
        value = match[group]
        if rule == "pair":
            key = match["key"]
            if _NOT_SECRET.fullmatch(value) or (key.lower() == "pwd" and value[0] in "/~"):
                return match[0]  # a masked value, a flag; `PWD=/srv/app` is a directory
            if match.start("aws_secret") >= 0:
                kind = "aws-key"
            elif match.start("card_code") >= 0:
                kind = "card"
        shaped = _SHAPED.fullmatch(value)
        if shaped is not None and shaped.lastgroup is not None:
            kind = _SHAPE_KINDS[shaped.lastgroup]
        start, end = match.start(group) - match.start(), match.end(group) - match.start()
        whole = match[0]
        return whole[:start] + self._placeholder(kind, value) + whole[end:]

    def _placeholder(self, kind: str, value: str) -> str:
        placeholder = self._placeholders.get(value)
        if placeholder is None:
            number = self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"<{kind}-{number}>"
            self._placeholders[value] = placeholder
            self._values[placeholder] = value
        return placeholder
