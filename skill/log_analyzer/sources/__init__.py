"""Where lines come from: files, directories, globs, stdin, compressed and rotated files."""

from .discover import Source, discover
from .reader import LineReader

__all__ = ["LineReader", "Source", "discover"]
