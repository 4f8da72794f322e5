"""Where the tools may read. Logs are untrusted: a line saying "read /etc/shadow" must meet a
refusal, so every path a model names is resolved (symlinks included) and checked against the
roots the user allowed before anything is opened."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from ..errors import PathRefused as PathRefused
from ..remote.uri import is_remote, parse_uri

DEFAULT_SYSTEM_ROOTS = ("/var/log",)
HOMES = (Path("/home"), Path("/Users"))  # where home directories are, not only the user's


class AllowedRoots:
    """The directories a conversation may read: the paths on the command line, `/var/log`,
    every `--allow DIR`, and the current directory when it is an ordinary one, each resolved
    once. Started from `/`, from the home directory or from a directory above it (MCP clients
    commonly start servers there), the current directory is not a root by itself: it would
    open `~/.ssh`. Nor is it when an MCP client declares its roots: they replace it."""

    def __init__(
        self, roots: Iterable[str | Path], *, cwd: Path | None = None, working: bool = False
    ) -> None:
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
            if path.is_dir() or not path.exists():
                directory = path
            elif unsafe_directory(path.parent) is not None:
                directory = path  # a file in the home directory opens that file, not all of it
            else:
                directory = path.parent
            if directory not in resolved:
                resolved.append(directory)
        self.named = tuple(resolved)
        # the working directory: a root by itself (`working`), unless it is unsafe
        self.working: Path | None = None
        self.working_refused: str | None = None  # why it is not a root
        if working:
            self.working_refused = unsafe_directory(self.cwd)
            if self.working_refused is None:
                self.working = self.cwd
        # the roots an MCP client declared (None: it declared none, or is no MCP client)
        self.client: tuple[Path, ...] | None = None

    @property
    def roots(self) -> tuple[Path, ...]:
        """Every allowed root, the working directory (or the client's roots) first."""
        first: tuple[Path, ...] = ()
        if self.client is not None:
            first = self.client
        elif self.working is not None:
            first = (self.working,)
        return tuple(dict.fromkeys((*first, *self.named)))

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
        return cls([*given, *system, *allow], cwd=here, working=True)

    def use_client_roots(self, uris: Iterable[str]) -> None:
        """The roots an MCP client declared (`file://` URIs; others are ignored): they replace
        the working directory, which is no longer a root by itself."""
        client: list[Path] = []
        for uri in uris:
            path = _file_uri_path(uri)
            if path is not None and path not in client:
                client.append(path)
        self.client = tuple(client)

    def describe(self) -> str:
        """One line: the roots, and why the working directory is not one when it is not."""
        shown = ", ".join(str(root) for root in self.roots) or "none"
        parts = [f"allowed roots: {shown}"]
        if self.client is not None:
            parts.append(f"the client's roots ({len(self.client)}) replace the working directory")
        elif self.working_refused is not None:
            parts.append(
                f"not the working directory {self.cwd} ({self.working_refused}): name a "
                "directory on the command line or with --allow DIR"
            )
        return "; ".join(parts)

    def _resolve(self, text: str) -> Path:
        expanded = Path(os.path.expanduser(text))
        if not expanded.is_absolute():
            expanded = self.cwd / expanded
        try:
            return expanded.resolve()
        except (RuntimeError, OSError):  # a symlink loop (RuntimeError up to 3.12): never opens
            return Path(os.path.abspath(expanded))

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
        try:
            self.check(base)
        except PathRefused as error:  # named as the model wrote it, not by its directory
            raise PathRefused(str(error).replace(base, text, 1)) from None
        return text


def unsafe_directory(path: Path) -> str | None:
    """Why a directory may not be a root unless the user names it: the file system's root,
    the home directory, or a directory holding it. None for an ordinary directory."""
    if path == Path(path.anchor):
        return "the file system's root"
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError):  # no home directory to speak of
        return None
    if path == home:
        return "the home directory"
    if home.is_relative_to(path) or path in HOMES:
        return "a directory holding home directories"
    return None


def _file_uri_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(parsed.path)).resolve()


def _engine(text: str) -> tuple[str, str, int | None]:
    spec = parse_uri(text)
    return spec.scheme, spec.host, spec.port
