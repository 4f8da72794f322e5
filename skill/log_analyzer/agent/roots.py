"""Where the tools may read. Logs are untrusted: a line saying "read /etc/shadow" must meet a
refusal, so every path a model names is resolved (symlinks included) and checked against the
roots the user allowed before anything is opened."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import LogAnalyzerError
from ..remote.uri import is_remote, parse_uri

DEFAULT_SYSTEM_ROOTS = ("/var/log",)


class PathRefused(LogAnalyzerError):
    """A path outside the allowed roots, or one that does not exist."""


class AllowedRoots:
    """The directories a conversation may read: the paths on the command line, the current
    directory, `/var/log` and every `--allow DIR`, each resolved once."""

    def __init__(self, roots: Iterable[str | Path], *, cwd: Path | None = None) -> None:
        self.cwd = (cwd or Path.cwd()).resolve()
        resolved: list[Path] = []
        # remote engines the user named (a URI on the command line or in --allow): a log line
        # must not send the tools to query an internal service the user did not point at
        self.engines: set[tuple[str, str, int | None]] = set()
        for root in roots:
            if is_remote(str(root)):
                self.engines.add(_engine(str(root)))
                continue
            path = self._resolve(str(root))
            directory = path if path.is_dir() or not path.exists() else path.parent
            if directory not in resolved:
                resolved.append(directory)
        self.roots = tuple(resolved)

    @classmethod
    def for_session(
        cls,
        paths: Iterable[str],
        allow: Iterable[str] = (),
        *,
        cwd: Path | None = None,
        include_system: bool = True,
    ) -> AllowedRoots:
        here = (cwd or Path.cwd()).resolve()
        given = [p for p in paths if p != "-"]
        system = DEFAULT_SYSTEM_ROOTS if include_system else ()
        return cls([here, *given, *system, *allow], cwd=here)

    def _resolve(self, text: str) -> Path:
        expanded = Path(os.path.expanduser(text))
        if not expanded.is_absolute():
            expanded = self.cwd / expanded
        return expanded.resolve()

    def check(self, text: str) -> Path:
        """The resolved path when it lies inside an allowed root; `PathRefused` otherwise."""
        if "\x00" in text:
            raise PathRefused(f"{text!r}: not a valid path")
        path = self._resolve(text)
        if not any(path == root or path.is_relative_to(root) for root in self.roots):
            allowed = ", ".join(str(r) for r in self.roots)
            raise PathRefused(
                f"{text}: refused, outside the allowed roots ({allowed}); the user can add "
                "a directory with --allow DIR"
            )
        if not path.exists():
            raise PathRefused(f"{text}: no such file or directory")
        return path

    def check_remote(self, text: str) -> None:
        if _engine(text) not in self.engines:
            raise PathRefused(
                f"{text}: refused, not an engine the user named (only the source URIs given "
                "on the command line or with --allow can be queried)"
            )

    def check_glob(self, text: str) -> str:
        """A glob's fixed prefix must lie inside a root (its matches then do too, once each
        is resolved again by the reader)."""
        prefix = text.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
        base = prefix if prefix.endswith("/") or not prefix else os.path.dirname(prefix) or "."
        self.check(base)
        return text


def _engine(text: str) -> tuple[str, str, int | None]:
    spec = parse_uri(text)
    return spec.scheme, spec.host, spec.port
