"""Which service a source speaks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from log_analyzer.errors import OptionError
from log_analyzer.ingest import ParseOptions, parse_paths
from log_analyzer.services import clean_stem, parse_overrides, service_from_path
from log_analyzer.sources.discover import Source

LINE = "2026-11-28 14:02:03,118 - root - ERROR - boom\n"


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("logs/checkout-service.log", None, "checkout-service"),
        ("redis/redis-server.log", None, "redis"),
        ("/var/log/nginx/access.log", None, "nginx"),
        ("/var/log/nginx/error.log.2.gz", None, "nginx"),
        ("fixtures/incident/payment-service.log", None, "payment-service"),
        ("logs/app.log.2.gz", None, "app"),
        ("logs/cart/2026-11-28/current.log", "logs", "cart"),
        ("logs/redis/redis-server.log", "logs", "redis"),
        ("logs/checkout.log", "logs", "checkout"),
    ],
)
def test_service_from_path(path: str, root: str | None, expected: str) -> None:
    source = Source(path, Path(path), Path(root) if root else None)
    assert service_from_path(source) == expected


def test_clean_stem() -> None:
    assert clean_stem("HDFS_2k.log") == "HDFS"
    assert clean_stem("api.jsonl") == "api"
    assert clean_stem("app.log-20261128.gz") == "app"


def test_service_override_beats_file_name_and_record_fields(tmp_path: Path) -> None:
    (tmp_path / "x1.log").write_text(LINE)
    spring = (
        "2026-11-28T14:02:03.118Z ERROR 1 --- [checkout-service] [nio-8080-exec-7] "
        "c.e.Cart : boom\n"
    )
    (tmp_path / "x2.log").write_text(spring)
    options = ParseOptions(services=parse_overrides(["shop=*x?.log"]))
    assert {r.service for r in parse_paths([str(tmp_path)], options)} == {"shop"}


def test_record_fields_name_the_service_when_present(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_text(
        '{"@timestamp":"2026-11-28T14:02:03.118Z","log.level":"error","message":"x",'
        '"service.name":"payments","ecs.version":"1.6.0"}\n'
    )
    assert [r.service for r in parse_paths([str(path)])] == ["payments"]


def test_bad_override_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="NAME=GLOB"):
        parse_overrides(["=*.log"])


def test_a_directory_named_on_the_command_line_names_its_files_that_agree(tmp_path) -> None:
    redis = tmp_path / "redis"
    redis.mkdir()
    source = Source(str(redis / "redis-server.log"), redis / "redis-server.log", redis)
    assert service_from_path(source) == "redis"
    other = Source(str(redis / "sentinel.log"), redis / "sentinel.log", redis)
    assert service_from_path(other) == "sentinel"
