"""The package's exceptions, in one place, with one root.

Every error a user can cause (a missing path, an unknown format name, a bad option value, a
model that cannot be reached) is a `LogAnalyzerError`; the CLI prints its message on one line
and exits non-zero, never a traceback. The modules that raise them import them from here.

    LogAnalyzerError
    ├── SourceError            a path missing, unreadable or empty
    │   ├── TruncatedError     a compressed stream that stops before its end
    │   └── BombError          a compressed stream past the expansion guard
    ├── FormatError            an unknown --format, an invalid format definition
    ├── OptionError            an option value that cannot be understood
    │   └── UnknownService     a service name the logs do not know
    ├── PathRefused            a path outside the roots the tools may read
    ├── RemoteError            a log engine unreachable, refusing, or at a limit
    ├── IndexStoreError        the on-disk index (read past, never fatal)
    │   ├── IndexCorrupt       one entry that cannot be trusted
    │   └── IndexUnusable      the store as a whole cannot be trusted
    └── ProviderError          a model call that failed for good
        ├── TransientError     one worth retrying
        └── NoModelError       no model can be asked (no key, no server)
"""

from __future__ import annotations


class LogAnalyzerError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 2


class SourceError(LogAnalyzerError):
    """A path that does not exist, cannot be read, or holds nothing to read."""


class TruncatedError(SourceError):
    """A compressed stream that stops before its end (a copy cut short, a file being written)."""


class BombError(SourceError):
    """A compressed stream that expands past the ratio guard: decompression stopped."""


class FormatError(LogAnalyzerError):
    """An unknown `--format` name or an invalid format definition."""


class OptionError(LogAnalyzerError):
    """An option value that cannot be understood (`--tz`, `--date`, `--service`...)."""


class UnknownService(OptionError):
    """A service filter that names no service of the loaded logs."""


class PathRefused(LogAnalyzerError):
    """A path outside the allowed roots, or one that does not exist."""


class RemoteError(LogAnalyzerError):
    """An engine that cannot be reached, refuses the credentials, rejects the query or hits
    one of its limits: one line naming the source and what to change."""


class IndexStoreError(LogAnalyzerError):
    """The on-disk index cannot be used: the analysis reads the logs afresh and warns."""


class IndexCorrupt(IndexStoreError):
    """An entry that cannot be trusted: wrong magic, cut short, not signed by this user, a
    payload naming what is not a summary type, a header of the wrong shape."""


class IndexUnusable(IndexStoreError):
    """The store as a whole cannot be trusted (its key is open to other users): not used."""


class ProviderError(LogAnalyzerError):
    """A model call that retrying will not fix (bad key, bad request): one line for the user."""


class TransientError(ProviderError):
    """A failure worth retrying (rate limit, overload, 5xx, connection), with the wait the
    server asked for, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NoModelError(ProviderError):
    """No model can be asked: no key, or no server to ask. Carries the line saying why."""
