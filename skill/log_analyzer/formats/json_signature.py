"""A JSON dialect's signature, as its definition writes it, compiled into a test of one object.

    signature = { keys = ["@t"], any_keys = ["@m", "@mt"], values = { v = 0 },
                  types = { level = "int", t = "object" } }

Every condition must hold: `keys` are all present, at least one of `any_keys` is, each key of
`values` holds that value (`==`), each key of `types` holds a value of that JSON type (`int`:
an integer, `number`: an integer or a fraction, `string`, `object`; never `true`/`false`). Keys
are the object's own top-level keys, as written: `"log.level"` is one key, not a path.

The test runs on every line a dialect is tried on, so it is compiled once, at load, into one
lambda of plain comparisons (`'@t' in o and ('@m' in o or '@mt' in o)`), as fast as a lambda
written by hand. Only keys and values quoted with `repr` and the type names below go into it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Signature = Callable[[dict[str, Any]], bool]

SIGNATURE_KEYS = frozenset({"keys", "any_keys", "values", "types"})
# JSON types, as the exact Python types `json.loads` gives them (a bool is no number)
_TYPES = {"int": "type(o.get({key})) is int", "number": "type(o.get({key})) in _NUMBER"}
_TYPES |= {"string": "type(o.get({key})) is str", "object": "type(o.get({key})) is dict"}
# every name a compiled test may use
_NAMESPACE: dict[str, Any] = {"__builtins__": {}, "type": type, "int": int, "str": str}
_NAMESPACE |= {"dict": dict, "_NUMBER": frozenset({int, float})}


def compile_signature(table: object) -> Signature:
    """The test a `signature` table describes. ValueError for a table it cannot be."""
    if not isinstance(table, dict):
        raise ValueError("signature must be a table")
    unknown = set(table) - SIGNATURE_KEYS
    if unknown:
        raise ValueError(f"unknown signature keys {sorted(unknown)}")
    tests = [f"{key!r} in o" for key in _keys(table, "keys")]
    some = _keys(table, "any_keys")
    if some:
        tests.append("(" + " or ".join(f"{key!r} in o" for key in some) + ")")
    for key, value in _table(table, "values").items():
        if type(value) not in (str, int, bool):
            raise ValueError(f"signature value of {key!r} must be a string, integer or boolean")
        tests.append(f"o.get({key!r}) == {value!r}")
    for key, kind in _table(table, "types").items():
        if kind not in _TYPES:
            raise ValueError(f"signature type of {key!r} must be one of {sorted(_TYPES)}")
        tests.append(_TYPES[kind].format(key=repr(key)))
    if not tests:
        raise ValueError("an empty signature (leave it out for a dialect that reads any object)")
    source = "lambda o: " + " and ".join(tests)
    test: Signature = eval(compile(source, "<signature>", "eval"), dict(_NAMESPACE))
    return test


def _keys(table: Mapping[str, Any], name: str) -> list[str]:
    keys = table.get(name, [])
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        raise ValueError(f"signature {name} must be a list of strings")
    return keys


def _table(table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    found = table.get(name, {})
    if not isinstance(found, dict):
        raise ValueError(f"signature {name} must be a table")
    return found
