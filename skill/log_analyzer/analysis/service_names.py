"""The names a service goes by, and what a user or a model may call it.

Records carry the name their source gave (`kafka-2`, `checkout-service`); the analysis merges
StatefulSet ordinals into one identity (`kafka`). A filter names a service in either form, in
any case; a name that matches nothing is an error that lists the known names and the closest
ones, never a silent empty result (`service="payments"` when the service is
`payment-service`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..errors import UnknownService as UnknownService
from .identity import merged_ordinals

MAX_LISTED = 30  # names listed in an error


class ServiceNames:
    """The services of a set of logs: canonical names (the analysis' identities), each with
    the record names it covers."""

    def __init__(self, record_names: Iterable[str]) -> None:
        names = sorted({name for name in record_names if name})
        merged = merged_ordinals(names)
        self.members: dict[str, list[str]] = {}
        for name in names:
            self.members.setdefault(merged.get(name, name), []).append(name)
        self._lookup: dict[str, tuple[str, ...]] = {}
        for identity, members in self.members.items():
            for key in (identity, *members):
                covered = tuple(members) if key == identity else (key,)
                self._lookup.setdefault(key, covered)
                self._lookup.setdefault(key.casefold(), covered)

    @property
    def canonical(self) -> list[str]:
        return sorted(self.members)

    def aliases(self) -> dict[str, list[str]]:
        """identity -> its record names, for identities that merge several."""
        return {
            identity: members
            for identity, members in sorted(self.members.items())
            if members != [identity]
        }

    def resolve(self, name: str) -> tuple[str, ...]:
        """The record names `name` covers; `UnknownService` when it names none."""
        wanted = name.strip()
        found = self._lookup.get(wanted) or self._lookup.get(wanted.casefold())
        if found is not None:
            return found
        raise UnknownService(self._unknown(wanted))

    def _unknown(self, name: str) -> str:
        if not self.members:
            return f"unknown service {name!r}: the loaded logs name no service"
        candidates = sorted({n for identity, ms in self.members.items() for n in (identity, *ms)})
        closest = _closest(name, candidates)
        listed = self.canonical[:MAX_LISTED]
        more = len(self.members) - len(listed)
        known = ", ".join(listed) + (f" (+{more} more)" if more > 0 else "")
        hint = f" did you mean {' or '.join(closest)}?" if closest else ""
        return f"unknown service {name!r};{hint} known services: {known}"


def _closest(name: str, candidates: list[str]) -> list[str]:
    """Names that contain the given one as a word part (`checkout` in `checkout-service`),
    then the spelling neighbours."""
    folded = name.casefold()
    containing = [c for c in candidates if folded and folded in c.casefold()]
    similar = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    ordered = list(dict.fromkeys([*containing[:3], *similar]))
    return ordered[:3]
