"""The package's exceptions, in one place, with one root.

Every error a user can cause (a missing path, an unknown format name, a bad option value) is a
`LogAnalyzerError`; the CLI prints its message on one line and exits non-zero, never a traceback.
"""


class LogAnalyzerError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 2


class SourceError(LogAnalyzerError):
    """A path that does not exist, cannot be read, or holds nothing to read."""


class FormatError(LogAnalyzerError):
    """An unknown `--format` name or an invalid format definition."""


class OptionError(LogAnalyzerError):
    """An option value that cannot be understood (`--tz`, `--date`, `--service`...)."""
