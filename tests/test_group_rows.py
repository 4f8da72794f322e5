"""`errors --json` writes its groups as plain data made without pydantic
(`ErrorGrouper.group_rows`): the same JSON the models give, on every kind of log we have."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from log_analyzer.analysis.errors import find_error_groups

from .conftest import FIXTURES, ROOT

INPUTS = sorted(
    [FIXTURES / "incident", FIXTURES / "formats", *(FIXTURES / "incidents").iterdir()],
    key=str,
)


@pytest.mark.parametrize("path", INPUTS, ids=lambda path: path.name)
@pytest.mark.parametrize("level", ["warning", "error"])
def test_the_rows_are_what_the_models_dump(path, level: str) -> None:
    result = find_error_groups([str(path)], min_level=level)
    rows = result.group_rows()
    assert rows, path
    assert rows == [group.model_dump(mode="json") for group in result.groups]
    # and they survive JSON as the models' own JSON does
    assert json.dumps(rows) == json.dumps(
        [json.loads(group.model_dump_json()) for group in result.groups]
    )


def test_errors_json_loads_no_pydantic(tmp_path) -> None:
    code = (
        "import contextlib, io, json, sys\n"
        "from log_analyzer.cli.app import run\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    assert run(['errors', '--json', '--no-cache', {str(FIXTURES / 'incident')!r}]) == 0\n"
        "assert json.loads(out.getvalue())['groups']\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert [m for m in loaded if m.split(".")[0] == "pydantic"] == []
