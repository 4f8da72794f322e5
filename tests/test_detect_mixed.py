"""A file of one application's format with another program's lines between them: the JVM's
unified GC log (`-Xlog:gc:stdout`) interleaved with Spring Boot 3's console lines, as a
container's stdout holds them. The specific format must win and no record may swallow others."""

from __future__ import annotations

from pathlib import Path

from log_analyzer.ingest import open_paths


def _spring(second: int, level: str, message: str) -> str:
    return (
        f"2025-08-19T10:00:{second:02d}.559Z {level:>5} 1 --- [recommendations] "
        f"[io-8080-exec-16] c.a.r.web.RecommendationController       : {message}"
    )


def test_gc_lines_between_spring_boot_lines_keep_every_record_apart(tmp_path: Path) -> None:
    lines = []
    for second in range(0, 50):
        if second % 5 == 0:
            lines.append(
                f"[2025-08-19T10:00:{second:02d}.020+0000][info][gc] GC({4799 + second}) "
                "Pause Young (Normal) (G1 Evacuation Pause) 2318M->1769M(3840M) 43.614ms"
            )
        lines.append(_spring(second, "INFO", f"Served {second} recommendations for home in 30 ms"))
    lines.append(_spring(51, "WARN", "JVM pause detected: 1183ms (threshold 1000ms)"))
    path = tmp_path / "recommendations.log"
    path.write_text("\n".join(lines) + "\n")
    records = list(open_paths([str(path)]).records())
    assert len(records) == len(lines)
    assert {r.format for r in records if "Served" in r.message} == {"spring-boot"}
    warning = records[-1]
    assert warning.level == "warning"
    assert warning.message.startswith("JVM pause detected")
