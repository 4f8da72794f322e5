"""`log-analyzer`: the app, its commands registered from their modules, and `run()`, which
turns every error a user can cause into one line on stderr and an exit status.

Start-up stays small: the command modules import typer and the shared options only; each
command imports the library it needs when it runs (`--help` and `--version` load neither the
formats, nor rich, nor the agent)."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_command_name
from typer.models import CommandInfo

from ..errors import LogAnalyzerError
from ..gc_pacing import fewer_collections
from . import (
    agent_commands,
    analysis_commands,
    cache_command,
    compare_command,
    reading_commands,
    replay,
    trace_command,
    watch_command,
)
from .console import say, write_any_text


class _Commands(MutableMapping[str, Any]):
    """The commands by name, each built from its function (its options read from its
    signature) the first time it is looked up: a run builds one, `--help` none."""

    def __init__(self, registered: list[CommandInfo]) -> None:
        self.infos = {_name(info): info for info in registered}
        self.built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            self.built[name] = get_command_from_info(
                self.infos[name], pretty_exceptions_short=True, rich_markup_mode=None
            )
        return self.built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.built[name] = command
        self.infos.setdefault(name, CommandInfo(name=name))

    def __delitem__(self, name: str) -> None:
        del self.infos[name]
        self.built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.infos)

    def __len__(self) -> int:
        return len(self.infos)


class _Group(TyperGroup):
    """The top-level group, its commands built on demand; the list `--help` shows reads
    their docstrings."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(_registered.registered_commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        infos = self.commands.infos if isinstance(self.commands, _Commands) else {}
        if not infos:
            return super().format_commands(ctx, formatter)
        limit = formatter.width - 6 - max(len(name) for name in infos)
        rows = [
            (name, TyperCommand(name=name, help=_help(info)).get_short_help_str(limit))
            for name, info in infos.items()
            if not info.hidden
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _name(info: CommandInfo) -> str:
    return info.name or get_command_name(info.callback.__name__ if info.callback else "")


def _help(info: CommandInfo) -> str:
    return info.help or (inspect.getdoc(info.callback) if info.callback else None) or ""


_registered = typer.Typer()  # the command modules register here; `_Group` builds from it
app = typer.Typer(
    name="log-analyzer",
    help="Find the root cause of an incident from the logs of several services.",
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"log-analyzer {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Find the root cause of an incident from the logs of several services."""


for _module in (
    reading_commands,
    analysis_commands,
    agent_commands,
    cache_command,
    compare_command,
    trace_command,
    watch_command,
):
    _module.register(_registered)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with `argv` and return its exit status: one-line errors, no tracebacks.

    Click runs in non-standalone mode so that a usage error (an unknown option, a value out of
    range, a missing path) is one line here too, not a usage page. A run whose line may be
    replayed keeps what it writes (`cli.replay`)."""
    write_any_text()
    args = list(sys.argv[1:] if argv is None else argv)
    recording = replay.start(args)
    status = 70
    try:
        with fewer_collections():
            status = _run(args)
    finally:
        replay.finish(recording, status)
    return status


def _run(argv: list[str]) -> int:
    try:
        result = app(args=argv, prog_name="log-analyzer", standalone_mode=False)
    except typer.Abort:  # end of input at a prompt
        say("log-analyzer: aborted")
        return 1
    except SystemExit as exit_:
        code = exit_.code
        if code == 130 and exit_.__context__ is not None:  # click turned a Ctrl-C into this
            say("\nlog-analyzer: interrupted")
        return code if isinstance(code, int) else (0 if code is None else 1)
    except LogAnalyzerError as error:
        say(f"log-analyzer: error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        say("\nlog-analyzer: interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (`| head`, where SIGPIPE does not end us)
        return 1
    except Exception as error:  # a bug of ours: one line, the traceback only on request
        if _is_click(error, "NoArgsIsHelpError"):  # `log-analyzer` alone: the help
            error.show()  # type: ignore[attr-defined]
            return int(error.exit_code)  # type: ignore[attr-defined]
        if _is_click(error, "ClickException"):  # a usage error: one line, not a usage page
            say(f"log-analyzer: error: {_usage_line(error)}")
            return int(error.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("LOG_ANALYZER_DEBUG"):
            raise
        say(
            f"log-analyzer: internal error: {type(error).__name__}: {error} "
            "(set LOG_ANALYZER_DEBUG=1 to see the traceback, and please report it)"
        )
        return 70
    if result == 130:  # typer turned a Ctrl-C into `Exit(130)`
        say("\nlog-analyzer: interrupted")
    return result if isinstance(result, int) else 0


def _is_click(error: Exception, name: str) -> bool:
    """Whether `error` is click's `name` exception. Typer raises click's own exceptions or
    those of the copy of click it carries (`typer._click`), depending on its version: told
    apart by class name."""
    return any(cls.__name__ == name for cls in type(error).__mro__)


def _usage_line(error: Exception) -> str:
    """A usage error on one line, with where to read more."""
    message = " ".join(error.format_message().split())  # type: ignore[attr-defined]
    context = getattr(error, "ctx", None)
    if _is_click(error, "UsageError") and context is not None:
        message += f" (see '{context.command_path} --help')"
    return message
