"""Alert notifications in the logs: which alert, firing or resolved, and whether it is only a
heartbeat.

Read from the words alerting software writes, not from one tool's wording:

- Alertmanager's own log (`alert=Name[fingerprint][active]`, `alerts=[...]`, an `aggrGroup`
  naming `alertname`), and the webhook JSON it and Grafana post (`status`, `alertname`);
- notification titles (`[FIRING:1] Name`, `[RESOLVED] Name`, Datadog's `[Triggered]`);
- Grafana alerting's state changes (`newState=Alerting`, `current: Normal`, the rule's title
  or uid);
- PagerDuty (`incident.triggered`, `event_action: trigger`), Opsgenie (`action: Create`),
  Nagios and Icinga (`SERVICE ALERT: host;check;CRITICAL;HARD;...`);
- a line that says an alert is firing or resolved.

Heartbeats (Watchdog, DeadMansSwitch, InfoInhibitor, any heartbeat) fire all the time to prove
the pipeline works: they are not incident events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FIRING = "firing"
RESOLVED = "resolved"
SILENCED = "silenced"  # received, but muted: no one was paged

# a heartbeat's name is one of these, or ends with one (`PrometheusHeartbeat`); an alert about
# heartbeats that fail (`HeartbeatMissing`, `KafkaHeartbeatFailures`) is a real one
_HEARTBEATS = ("watchdog", "heartbeat", "deadmansswitch", "deadmanswitch", "deadmanssnitch")
_HEARTBEATS_ALONE = ("infoinhibitor", "alwaysfiring", "deadmansnitch")
# Alertmanager's String() of an alert: name, seven hex digits of its fingerprint, its state
_ALERTMANAGER = re.compile(
    r"(?P<name>[A-Za-z_:][\w:.-]*)\[[0-9a-f]{7,16}\]\[(?P<state>active|resolved|suppressed)\]"
)
_TITLE = re.compile(r"\[(?P<state>FIRING|RESOLVED)(?::\d+)?\]\s*(?P<name>[A-Za-z_:][\w:.-]*)")
_DATADOG = re.compile(
    r"\[(?P<state>Triggered|Re-Triggered|Recovered)\]\s*(?P<name>[^\[\]\n]{3,80}?)\s*(?:$|[\[{(\n])"
)
_NAGIOS = re.compile(
    r"\b(?P<kind>SERVICE|HOST) (?:ALERT|NOTIFICATION): (?P<rest>[^\n]+)"  # host;check;STATE;...
)
_SAID = re.compile(
    r"\b[Aa]lert(?:ing)?(?: rule)?[\s:=]+\"?(?P<name>[A-Za-z_][\w:.-]{2,})\"? (?:is |has |was )?"
    r"(?P<state>firing|fired|triggered|resolved|recovered)\b"
)
_NAME_KEYS = (
    "alertname",
    "alert_name",
    "rule_title",
    "ruletitle",
    "rule_name",
    "rulename",
    "alert",
)
_TITLE_KEYS = ("title", "summary", "message", "description")
_STATE_KEYS = ("status", "state")
_LABEL = re.compile(r"alertname\\?\"?\s*[=:]\s*\\?\"?(?P<name>[A-Za-z_:][\w:.-]*)")
_NOTIFIES = re.compile(r"notif|alert|page", re.IGNORECASE)
_STATES = {
    "firing": FIRING,
    "alerting": FIRING,
    "active": FIRING,
    "suppressed": SILENCED,
    "fired": FIRING,
    "re-triggered": FIRING,
    "triggered": FIRING,
    "trigger": FIRING,
    "incident.triggered": FIRING,
    "create": FIRING,
    "problem": FIRING,
    "resolved": RESOLVED,
    "resolve": RESOLVED,
    "incident.resolved": RESOLVED,
    "normal": RESOLVED,
    "recovered": RESOLVED,
    "close": RESOLVED,
    "ok": RESOLVED,
}
# field keys that carry an alert in structured records (webhook bodies, alerting tools' logs);
# an `event` or `alert` key counts when it holds an object (PagerDuty's, Opsgenie's bodies)
ALERT_KEYS = frozenset(
    {"alerts", "alertname", "commonLabels", "groupLabels", "event_action", "event_type"}
    | {"newState", "ruleTitle", "alertId"}
)
# the keys without which no fields carry an alert: one set test rules out nearly every record
MAY_ALERT_KEYS = ALERT_KEYS | {"event", "alert"}
# words that mark a line as an alert notification (remote engines filter their text by them)
ALERT_WORDS: tuple[str, ...] = (
    "alertname",
    "[FIRING",
    "[RESOLVED]",
    "[Triggered]",
    "[Recovered]",
    "incident.triggered",
    "incident.resolved",
    "ALERT: ",
    "NOTIFICATION: ",
    "state changed",
)


@dataclass(frozen=True)
class Alert:
    name: str
    state: str | None  # firing, resolved, silenced, or None: a notification that does not say
    heartbeat: bool


def may_carry_alert(fields: Mapping[str, Any]) -> bool:
    """Whether a record's fields may state an alert (a cheap test, for every record)."""
    if MAY_ALERT_KEYS.isdisjoint(fields):
        return False
    return (
        not ALERT_KEYS.isdisjoint(fields)
        or isinstance(fields.get("event"), Mapping)
        or isinstance(fields.get("alert"), Mapping)
    )


def is_heartbeat(name: str) -> bool:
    """An alert that fires all the time to prove the alerting pipeline works (Watchdog,
    DeadMansSwitch, InfoInhibitor, PrometheusHeartbeat)."""
    plain = re.sub(r"[^a-z]", "", name.lower())
    return plain.endswith(_HEARTBEATS) or plain in _HEARTBEATS_ALONE


def alert_of(message: str, fields: Mapping[str, Any] | None = None) -> Alert | None:
    """The alert a record notifies of, or None. Among several (an Alertmanager flush), the
    first that is not a heartbeat."""
    text = message.split("\n", 1)[0] if "\n" in message else message
    flat = _flatten(fields) if fields else {}
    if not flat and "{" in text and ("alert" in text or "incident" in text):
        flat = _flatten(_embedded_json(text))
    values = " ".join(v for v in flat.values() if "[" in v)
    found = [
        (m.group("name"), m.group("state")) for m in _ALERTMANAGER.finditer(f"{text} {values}")
    ]
    if found:
        return _pick([(name, _STATES[state]) for name, state in found])
    stated = _structured(flat, text)
    if stated is not None and stated.state is not None:
        return stated  # the record's own keys say it (a page's title keeps its first words)
    for pattern in (_TITLE, _DATADOG, _SAID):
        for source in (text, *(flat.get(k, "") for k in _TITLE_KEYS)):
            match = pattern.search(source)
            if match is not None:
                return _alert(match.group("name").strip(), _STATES.get(match["state"].lower()))
    nagios = _NAGIOS.search(text)
    if nagios is not None:
        return _nagios(nagios.group("kind"), nagios.group("rest"))
    return stated


def _structured(flat: dict[str, str], text: str) -> Alert | None:
    """An alert stated by keys: a label or rule title, and a state. A state the keys give but
    that is neither firing nor resolved (pending, acknowledged) is kept as said: no event."""
    label = next((flat[k] for k in _NAME_KEYS if flat.get(k)), None)
    if label is None:
        found = _LABEL.search(" ".join((text, *flat.values())))
        label = found.group("name") if found is not None else None
    title = _title_name(
        flat.get("title") or flat.get("summary") or flat.get("message") or flat.get("alias")
    )
    said: str | None
    if flat.get("event_type", "").startswith("incident.") or "event_action" in flat:
        # PagerDuty: a webhook's event type, or an event sent to its Events API
        said, name = flat.get("event_type") or flat["event_action"], label or title
    elif "alertid" in flat and "action" in flat:  # Opsgenie's webhook
        said, name = flat["action"], label or title
    elif "newstate" in flat or "new_state" in flat or "current" in flat:  # Grafana alerting
        said = flat.get("newstate") or flat.get("new_state") or flat["current"]
        uid = flat.get("rule_uid") or flat.get("ruleuid")
        name = label or (f"rule {uid}" if uid else None)
    else:
        said = next((flat[k] for k in _STATE_KEYS if flat.get(k)), None)
        name = label
    word = _first_word(said) if said else None
    state = _STATES.get(word, word) if word else None
    if name is None or (state is None and not _NOTIFIES.search(text)):
        return None
    return _alert(name[:80], state)


def _title_name(title: str | None) -> str | None:
    """The alert a page's title names: `[FIRING:1] Name (labels)` -> `Name`."""
    if not title:
        return None
    for pattern in (_TITLE, _DATADOG):
        match = pattern.search(title)
        if match is not None:
            return match.group("name").strip()
    return title


def _nagios(kind: str, rest: str) -> Alert | None:
    """`host;check;STATE;HARD;attempt;output` (a host alert has no check); notifications put
    the contact first. Soft states are retries, not pages."""
    parts = rest.split(";")
    states = {"OK", "UP", "WARNING", "CRITICAL", "UNKNOWN", "DOWN", "UNREACHABLE"}
    at = next(
        (i for i, p in enumerate(parts) if p.split(" ")[0] in states or p == "RECOVERY"), None
    )
    if at is None or at == 0:
        return None
    if len(parts) > at + 1 and parts[at + 1] == "SOFT":
        return None
    name = "/".join(parts[max(0, at - (2 if kind == "SERVICE" else 1)) : at])
    word = parts[at].split(" ")[0]
    return _alert(name, RESOLVED if word in {"OK", "UP", "RECOVERY"} else FIRING)


def _pick(found: list[tuple[str, str | None]]) -> Alert:
    alerts = [_alert(name, state) for name, state in found]
    return next((a for a in alerts if not a.heartbeat), alerts[0])


def _alert(name: str, state: str | None) -> Alert:
    return Alert(name, state, is_heartbeat(name))


def _first_word(value: str) -> str:
    """`Normal (Updated)` -> `normal`; `incident.triggered` stays whole."""
    return value.split(" ", 1)[0].strip("\"'").lower()


def _embedded_json(text: str) -> dict[str, Any]:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return {}
    try:
        value = json.loads(text[start : end + 1])
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _flatten(fields: Mapping[str, Any], depth: int = 0) -> dict[str, str]:
    """Every key (lower-cased) to its first value as text, nested objects walked: a webhook
    body's `alerts[0].labels.alertname` is `alertname`."""
    flat: dict[str, str] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping) and depth < 4:
            for inner, text in _flatten(value, depth + 1).items():
                flat.setdefault(inner, text)
        elif isinstance(value, list) and depth < 4:
            for item in value[:3]:
                if isinstance(item, Mapping):
                    for inner, text in _flatten(item, depth + 1).items():
                        flat.setdefault(inner, text)
            flat.setdefault(
                key.lower(), " ".join(str(v) for v in value if not isinstance(v, Mapping))
            )
        elif value is not None:
            flat.setdefault(key.lower(), str(value))
    return flat
