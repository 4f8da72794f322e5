"""Servers, daemons and the tools that run them (`formats/families/servers.toml`), and the ones
other formats already read: each a small file exactly as the program writes it by default (its
layout, its wording, its multi-line entries, the banner lines around them), read through the
package's reader. For every record: where it starts and ends, its UTC instant, its level and the
head of its message; for the file, the format detected. Where reading one needs code beyond a
format definition, a strict xfail says what is missing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from log_analyzer.ingest import ParseOptions, open_paths
from log_analyzer.records import Record

# the files' mtime, for the year of year-less stamps (syslog)
MTIME = datetime(2026, 11, 28, 15, 0, tzinfo=UTC).timestamp()

# (first line, last line, UTC instant to the millisecond or None, level, head of the message)
Expected = tuple[int, int, str | None, str | None, str]


@dataclass(frozen=True)
class Case:
    file: str
    text: str
    format: str
    records: tuple[Expected, ...]
    # fields of the record starting at a line: {line: {name: value}}
    fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    # the heads are in the messages, not at their start (the generic reader keeps the header's
    # thread and logger in the message)
    within: bool = False


def _read(tmp_path: Path, name: str, text: str) -> tuple[list[Record], str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (MTIME, MTIME))
    workspace = open_paths([str(path)], ParseOptions())
    records = list(workspace.records())
    return records, workspace.stats[0].format


def _utc(record: Record) -> str | None:
    if record.timestamp is None:
        return None
    assert record.timestamp.utcoffset() is not None
    return record.timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:23]


def _head(message: str, head: str, within: bool) -> str:
    if within:
        return head if head in message else message
    return message[: len(head)]


def _check(tmp_path: Path, case: Case) -> list[Record]:
    records, detected = _read(tmp_path, case.file, case.text)
    assert detected == case.format
    got = [
        (r.line, r.end_line, _utc(r), r.level, _head(r.message, head, case.within))
        for r, (*_, head) in zip(records, case.records, strict=False)
    ]
    assert got == list(case.records)
    assert len(records) == len(case.records)
    by_line = {r.line: r for r in records}
    for line, wanted in case.fields.items():
        found = by_line[line].fields or {}
        assert {name: found.get(name) for name in wanted} == wanted
    return records


# -- formats defined in servers.toml ----------------------------------------------------------

ADDED = [
    Case(
        "elasticsearch.log",
        "[2026-11-28T14:01:58,332][INFO ][o.e.n.Node               ] [es-node-1] version[8.11.1],"
        " pid[812], build[deb/6f9ff581fbcde658e6f69d6ce03050f060d1fd0c/2023-11-11T10:05:59.42103816"
        "3Z], OS[Linux/5.15.0-89-generic/amd64], JVM[Oracle Corporation/OpenJDK 64-Bit Server VM/"
        "21.0.1/21.0.1+12-29]\n"
        "[2026-11-28T14:02:03,118][WARN ][o.e.c.r.a.DiskThresholdMonitor] [es-node-1] high disk "
        "watermark [90%] exceeded on [Xq3vR5cTQ1yU8lJ2nB0wKg][es-node-1][/var/lib/elasticsearch] "
        "free: 4.2gb[8.4%], shards will be relocated away from this node\n"
        "[2026-11-28T14:02:05,412][ERROR][o.e.b.ElasticsearchUncaughtExceptionHandler] [es-node-1]"
        " fatal error in thread [elasticsearch[es-node-1][write][T#3]], exiting\n"
        "java.lang.OutOfMemoryError: Java heap space\n"
        "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537) ~[?:?]\n"
        "\tat org.elasticsearch.common.bytes.BytesArray.<init>(BytesArray.java:39) "
        "~[elasticsearch-8.11.1.jar:?]\n"
        "[2026-11-28T14:02:07,551][DEBUG][o.e.a.s.TransportSearchAction] [es-node-1] [orders][2],"
        " node[Xq3vR5cTQ1yU8lJ2nB0wKg], [P], s[STARTED], a[id=kqzP0bW0RmGQ4n8vS5yX1A]: Failed to "
        "execute [SearchRequest{searchType=QUERY_THEN_FETCH, indices=[orders]}] lastShard [true]\n"
        "org.elasticsearch.transport.RemoteTransportException: [es-node-2][10.0.3.22:9300]"
        "[indices:data/read/search[phase/query]]\n"
        "Caused by: org.elasticsearch.common.breaker.CircuitBreakingException: [parent] Data too "
        "large, data for [<http_request>] would be [8123456789/7.5gb], which is larger than the "
        "limit of [8053063680/7.5gb]\n"
        "\tat org.elasticsearch.indices.breaker.HierarchyCircuitBreakerService.checkParentLimit("
        "HierarchyCircuitBreakerService.java:440) ~[elasticsearch-8.11.1.jar:?]\n"
        "[2026-11-28T14:02:09,880][INFO ][o.e.c.r.a.AllocationService] [es-node-1] current.health="
        '"YELLOW" message="Cluster health status changed from [GREEN] to [YELLOW] (reason: [shards '
        'failed [[orders][2]]])." previous.health="GREEN" reason="shards failed [[orders][2]]"\n',
        "elasticsearch",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "version[8.11.1], pid[812]"),
            (2, 2, "2026-11-28 14:02:03.118", "warning", "high disk watermark [90%]"),
            (3, 6, "2026-11-28 14:02:05.412", "error", "fatal error in thread"),
            (7, 10, "2026-11-28 14:02:07.551", "debug", "[orders][2], node["),
            (11, 11, "2026-11-28 14:02:09.880", "info", 'current.health="YELLOW"'),
        ),
        {2: {"logger": "o.e.c.r.a.DiskThresholdMonitor", "node": "es-node-1"}},
    ),
    Case(
        "logstash-plain.log",
        "Using bundled JDK: /usr/share/logstash/jdk\n"
        "[2026-11-28T14:01:58,332][INFO ][logstash.runner          ] Log4j configuration path "
        "used is: /usr/share/logstash/config/log4j2.properties\n"
        "[2026-11-28T14:02:00,001][INFO ][logstash.javapipeline    ][main] Starting pipeline "
        '{:pipeline_id=>"main", "pipeline.workers"=>4, "pipeline.batch.size"=>125}\n'
        "[2026-11-28T14:02:03,118][WARN ][logstash.outputs.elasticsearch][main] Attempted to "
        'resurrect connection to dead ES instance, but got an error {:url=>"http://es-1:9200/", '
        ":exception=>LogStash::Outputs::ElasticSearch::HttpClient::Pool::HostUnreachableError}\n"
        "[2026-11-28T14:02:03,412][ERROR][logstash.outputs.elasticsearch][main][a1b2c3d4e5f6a1b2c3"
        "d4e5f6a1b2c3d4e5f6a1b2] Attempted to send a bulk request but there are no living "
        "connections in the pool (perhaps Elasticsearch is unreachable or down?) "
        '{:message=>"No Available connections", :will_retry_in_seconds=>64}\n'
        "[2026-11-28T14:02:05,000][FATAL][logstash.runner          ] An unexpected error occurred!"
        ' {:error=>#<ArgumentError: Path "/usr/share/logstash/data" must be a writable directory. '
        "It is not writable.>}\n",
        "kibana-logstash",
        (
            (1, 1, None, None, "Using bundled JDK"),
            (2, 2, "2026-11-28 14:01:58.332", "info", "Log4j configuration path"),
            (3, 3, "2026-11-28 14:02:00.001", "info", "Starting pipeline {"),
            (4, 4, "2026-11-28 14:02:03.118", "warning", "Attempted to resurrect"),
            (5, 5, "2026-11-28 14:02:03.412", "error", "Attempted to send a bulk"),
            (6, 6, "2026-11-28 14:02:05.000", "fatal", "An unexpected error occurred!"),
        ),
        {5: {"logger": "logstash.outputs.elasticsearch", "pipeline": "main"}},
    ),
    Case(
        "kibana.log",
        "[2026-11-28T14:01:58.332+00:00][INFO ][node] Kibana process configured with roles: "
        "[background_tasks, ui]\n"
        "[2026-11-28T14:02:03.118+00:00][ERROR][elasticsearch-service] Unable to retrieve version "
        "information from Elasticsearch nodes. connect ECONNREFUSED 10.0.3.21:9200\n"
        "[2026-11-28T15:02:04.000+01:00][FATAL][root] Error: Unable to write to UUID file at "
        "/usr/share/kibana/data/uuid. Ensure Kibana has sufficient permissions to read / write to "
        "this file.  Error was: EACCES\n"
        "    at writeUuidToFile (/usr/share/kibana/node_modules/@kbn/core-uuid-server-internal/src"
        "/fs.js:32:11)\n"
        "[2026-11-28T14:02:05.000+00:00][INFO ][plugins-system.preboot] Stopping all plugins.\n",
        "kibana-logstash",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Kibana process configured"),
            (2, 2, "2026-11-28 14:02:03.118", "error", "Unable to retrieve version"),
            (3, 4, "2026-11-28 14:02:04.000", "fatal", "Error: Unable to write to UUID"),
            (5, 5, "2026-11-28 14:02:05.000", "info", "Stopping all plugins."),
        ),
    ),
    Case(
        "rabbit@mq-1.log",
        "2026-11-28 14:01:58.332 [info] <0.230.0> \n"
        " Starting RabbitMQ 3.8.35 on Erlang 23.3.4.18\n"
        " Copyright (c) 2007-2022 VMware, Inc. or its affiliates.\n"
        "2026-11-28 14:02:03.118 [error] <0.812.0> CRASH REPORT Process <0.812.0> with 0 "
        "neighbours exited with reason: {timeout,{gen_server,call,[<0.805.0>,{basic_publish,1}]}} "
        "in gen_server:call/3 line 214\n"
        "2026-11-28 14:02:04.000 [warning] <0.900.0> closing AMQP connection <0.900.0> "
        "(10.0.3.12:51234 -> 10.0.3.40:5672, vhost: '/', user: 'shop'):\n"
        "client unexpectedly closed TCP connection\n"
        "2026-11-28 14:02:05.500 [warning] <0.480.0> memory resource limit alarm set on node "
        "'rabbit@mq-1'.\n"
        "\n"
        "**********************************************************\n"
        "*** Publishers will be blocked until this alarm clears ***\n"
        "**********************************************************\n"
        "2026-11-28 14:02:06.000 [debug] <0.480.0> Asked to [re-]register this node (rabbit@mq-1)"
        " with epmd...\n",
        "rabbitmq",
        (
            (1, 3, "2026-11-28 14:01:58.332", "info", " Starting RabbitMQ 3.8.35"),
            (4, 4, "2026-11-28 14:02:03.118", "error", "CRASH REPORT Process <0.812.0>"),
            (5, 6, "2026-11-28 14:02:04.000", "warning", "closing AMQP connection"),
            (7, 11, "2026-11-28 14:02:05.500", "warning", "memory resource limit alarm"),
            (12, 12, "2026-11-28 14:02:06.000", "debug", "Asked to [re-]register"),
        ),
        {4: {"erlang_pid": "0.812.0"}},
    ),
    Case(
        "rabbit@mq-2.log",
        "2026-11-28 14:01:58.332112+00:00 [info] <0.230.0>  Starting RabbitMQ 3.12.10 on Erlang "
        "26.1.2 [jit]\n"
        "2026-11-28 14:02:03.118442+00:00 [error] <0.812.0> Error on AMQP connection <0.812.0> "
        "(10.0.3.12:51234 -> 10.0.3.40:5672, vhost: '/', user: 'shop', state: running), "
        "channel 1:\n"
        "2026-11-28 14:02:03.118442+00:00 [error] <0.812.0>  operation basic.publish caused a "
        "channel exception not_found: no exchange 'orders' in vhost '/'\n"
        "2026-11-28 15:02:04.000001+01:00 [warning] <0.480.0> memory resource limit alarm set on "
        "node 'rabbit@mq-2'.\n"
        "2026-11-28 14:02:07.100000+00:00 [critical] <0.246.0> Node 'rabbit@mq-2' is not a member"
        " of any cluster\n",
        "rabbitmq",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Starting RabbitMQ 3.12.10"),
            (2, 2, "2026-11-28 14:02:03.118", "error", "Error on AMQP connection"),
            (3, 3, "2026-11-28 14:02:03.118", "error", "operation basic.publish"),
            (4, 4, "2026-11-28 14:02:04.000", "warning", "memory resource limit alarm"),
            (5, 5, "2026-11-28 14:02:07.100", "critical", "Node 'rabbit@mq-2'"),
        ),
    ),
    Case(
        "clickhouse-server.log",
        "2026.11.28 14:01:58.332112 [ 1 ] {} <Information> Application: Starting ClickHouse "
        "23.8.2.7 (revision: 54477, git hash: f73c8f378745d8520eec1b0a7d3a2d63fc5b1c8e), PID 1\n"
        "2026.11.28 14:01:59.001000 [ 1 ] {} <Warning> Application: Integrity check of the "
        "executable skipped because the reference checksum could not be read.\n"
        "2026.11.28 14:02:03.118442 [ 812 ] {4f1c2a9e-8d3b-4c1a-9f2e-7b6a5c4d3e2f} <Error> "
        "executeQuery: Code: 60. DB::Exception: Table shop.orderz does not exist. (UNKNOWN_TABLE) "
        "(version 23.8.2.7 (official build)) (from 10.0.3.12:51234) (in query: SELECT count() FROM"
        " shop.orderz), Stack trace (when copying this message, always include the lines below):\n"
        "\n"
        "0. DB::Exception::Exception(DB::Exception::MessageMasked&&, int, bool) @ "
        "0x000000000c4fd597 in /usr/bin/clickhouse\n"
        "1. DB::IDatabase::getTable(String const&, std::shared_ptr<DB::Context const>) const @ "
        "0x00000000114e4d6a in /usr/bin/clickhouse\n"
        "\n"
        "2026.11.28 14:02:04.000000 [ 46 ] {} <Debug> MemoryTracker: Peak memory usage (for "
        "query): 4.00 MiB.\n"
        "2026.11.28 14:02:05.000000 [ 47 ] {} <Trace> SystemLog (system.query_log): Flushing "
        "system log, 12 entries to flush up to offset 812\n"
        "2026.11.28 14:02:06.000100 [ 48 ] {} <Fatal> BaseDaemon: (version 23.8.2.7 (official "
        "build)) (from thread 812) Received signal Segmentation fault (11)\n",
        "clickhouse",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Starting ClickHouse 23.8.2.7"),
            (2, 2, "2026-11-28 14:01:59.001", "warning", "Integrity check of the executable"),
            (3, 7, "2026-11-28 14:02:03.118", "error", "Code: 60. DB::Exception: Table"),
            (8, 8, "2026-11-28 14:02:04.000", "debug", "Peak memory usage"),
            (9, 9, "2026-11-28 14:02:05.000", "trace", "Flushing system log"),
            (10, 10, "2026-11-28 14:02:06.000", "fatal", "(version 23.8.2.7"),
        ),
        {
            3: {
                "logger": "executeQuery",
                "thread": "812",
                "query_id": "4f1c2a9e-8d3b-4c1a-9f2e-7b6a5c4d3e2f",
            },
            9: {"logger": "SystemLog (system.query_log)"},
        },
    ),
    Case(
        "consul.log",
        "==> Starting Consul agent...\n"
        "               Version: '1.17.0'\n"
        "             Node name: 'consul-1'\n"
        "            Datacenter: 'dc1' (Segment: '<all>')\n"
        "==> Log data will now stream in as it occurs:\n"
        "\n"
        "2026-11-28T14:01:58.332Z [INFO]  agent.server.raft: initial configuration: index=1 "
        'servers="[{Suffrage:Voter ID:5e1e3c4d Address:10.0.3.50:8300}]"\n'
        "2026-11-28T14:02:01.118Z [WARN]  agent.server.raft: heartbeat timeout reached, starting "
        "election: last-leader-addr= last-leader-id=\n"
        "2026-11-28T14:02:03.118Z [ERROR] agent.anti_entropy: failed to sync remote state: "
        'error="No cluster leader"\n'
        "2026-11-28T14:02:04.000Z [DEBUG] agent: Node info in sync\n"
        "2026-11-28T14:02:04.100Z [TRACE] agent.server.memberlist.lan: memberlist: Initiating "
        "push/pull sync with: consul-2 10.0.3.51:8301\n",
        "hclog",
        (
            (1, 4, None, None, "==> Starting Consul agent..."),
            (5, 6, None, None, "==> Log data will now stream"),
            (7, 7, "2026-11-28 14:01:58.332", "info", "initial configuration: index=1"),
            (8, 8, "2026-11-28 14:02:01.118", "warning", "heartbeat timeout reached"),
            (9, 9, "2026-11-28 14:02:03.118", "error", "failed to sync remote state"),
            (10, 10, "2026-11-28 14:02:04.000", "debug", "Node info in sync"),
            (11, 11, "2026-11-28 14:02:04.100", "trace", "memberlist: Initiating"),
        ),
        {9: {"logger": "agent.anti_entropy"}},
    ),
    Case(
        "vault.log",
        "2026-11-28T15:02:03.118+0100 [INFO]  core: seal configuration missing, not initialized\n"
        "2026-11-28T15:02:03.412+0100 [ERROR] core: failed to create audit entry: path=file/ "
        'error="sanity check failed; unable to open \\"/var/log/vault/audit.log\\" for writing: '
        'open /var/log/vault/audit.log: permission denied"\n'
        "2026-11-28T15:02:04.000+0100 [WARN]  storage.raft: failed to contact: server-id=vault-2 "
        "time=2.5s\n",
        "hclog",
        (
            (1, 1, "2026-11-28 14:02:03.118", "info", "seal configuration missing"),
            (2, 2, "2026-11-28 14:02:03.412", "error", "failed to create audit entry"),
            (3, 3, "2026-11-28 14:02:04.000", "warning", "failed to contact"),
        ),
    ),
    Case(
        "terraform.log",
        "2026-11-28T15:01:58.332+0100 [INFO]  Terraform version: 1.6.4\n"
        "2026-11-28T15:01:58.333+0100 [DEBUG] using github.com/hashicorp/go-tfe v1.36.0\n"
        '2026-11-28T15:02:03.120+0100 [ERROR] vertex "aws_instance.web" error: creating EC2 '
        "Instance: UnauthorizedOperation: You are not authorized to perform this operation.\n"
        '2026-11-28T15:02:03.200+0100 [WARN]  Provider "registry.terraform.io/hashicorp/aws" '
        "produced an unexpected new value for aws_security_group.web, but we are tolerating it "
        "because it is using the legacy plugin SDK.\n"
        "    The following problems may be the cause of any confusing errors from downstream "
        "operations:\n"
        "      - .tags: was null, but now cty.MapValEmpty(cty.String)\n"
        "2026-11-28T15:02:04.000+0100 [DEBUG] provider: plugin exited\n",
        "hclog",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Terraform version: 1.6.4"),
            (2, 2, "2026-11-28 14:01:58.333", "debug", "using github.com/hashicorp"),
            (3, 3, "2026-11-28 14:02:03.120", "error", 'vertex "aws_instance.web" error'),
            (4, 6, "2026-11-28 14:02:03.200", "warning", 'Provider "registry.terraform'),
            (7, 7, "2026-11-28 14:02:04.000", "debug", "plugin exited"),
        ),
    ),
    Case(
        "vault-audit-off.json.log",
        '{"@level":"info","@message":"proxy environment","@timestamp":"2026-11-28T14:01:58.33211'
        '2Z","http_proxy":"","https_proxy":"","no_proxy":""}\n'
        '{"@level":"error","@message":"failed to create audit entry","@module":"core",'
        '"@timestamp":"2026-11-28T15:02:03.412442+01:00","error":"sanity check failed",'
        '"path":"file/"}\n'
        '{"@level":"warn","@message":"failed to contact","@module":"storage.raft",'
        '"@timestamp":"2026-11-28T14:02:04.000000Z","server-id":"vault-2","time":"2.5s"}\n',
        "hclog-json",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "proxy environment"),
            (2, 2, "2026-11-28 14:02:03.412", "error", "failed to create audit entry"),
            (3, 3, "2026-11-28 14:02:04.000", "warning", "failed to contact"),
        ),
    ),
    Case(
        "etcd.log",
        "2026-11-28 14:01:58.332112 I | etcdmain: etcd Version: 3.4.27\n"
        "2026-11-28 14:01:58.400000 N | etcdserver/membership: set the initial cluster version to"
        " 3.4\n"
        '2026-11-28 14:02:03.118442 W | etcdserver: read-only range request "key:\\"/registry/pods'
        '/\\" " with result "error:context deadline exceeded" took too long (1.2s) to execute\n'
        "2026-11-28 14:02:03.500000 E | rafthttp: failed to dial 8e9e05c52164694d on stream MsgApp"
        " v2 (dial tcp 10.0.3.71:2380: connect: connection refused)\n"
        "2026-11-28 14:02:04.000000 C | etcdserver: read wal error (walpb: crc mismatch) and "
        "cannot be repaired\n",
        "capnslog",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "etcd Version: 3.4.27"),
            (2, 2, "2026-11-28 14:01:58.400", "notice", "set the initial cluster"),
            (3, 3, "2026-11-28 14:02:03.118", "warning", "read-only range request"),
            (4, 4, "2026-11-28 14:02:03.500", "error", "failed to dial"),
            (5, 5, "2026-11-28 14:02:04.000", "critical", "read wal error"),
        ),
        {4: {"logger": "rafthttp"}},
    ),
    Case(
        "traefik.log",
        "2026-11-28T14:01:58Z INF Traefik version 3.0.4 built on 2024-07-02T13:46:37Z "
        "version=3.0.4\n"
        "2026-11-28T14:01:58Z INF Starting provider *docker.Provider\n"
        "2026-11-28T14:02:03Z ERR github.com/traefik/traefik/v3/pkg/provider/docker/pdocker.go:99"
        ' > Failed to retrieve information of the docker client and server host error="Cannot '
        "connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon "
        'running?" providerName=docker\n'
        "2026-11-28T15:02:03+01:00 WRN No domain found in rule HostRegexp(`.+`), the TLS options "
        "applied for this router will depend on the SNI of each request entryPointName=websecure\n"
        '2026-11-28T14:02:05Z DBG 502 Bad Gateway error="dial tcp 10.0.3.40:8080: connect: '
        'connection refused"\n',
        "zerolog-console",
        (
            (1, 1, "2026-11-28 14:01:58.000", "info", "Traefik version 3.0.4"),
            (2, 2, "2026-11-28 14:01:58.000", "info", "Starting provider"),
            (3, 3, "2026-11-28 14:02:03.000", "error", "Failed to retrieve information"),
            (4, 4, "2026-11-28 14:02:03.000", "warning", "No domain found in rule"),
            (5, 5, "2026-11-28 14:02:05.000", "debug", "502 Bad Gateway"),
        ),
        {3: {"caller": "github.com/traefik/traefik/v3/pkg/provider/docker/pdocker.go:99"}},
    ),
    Case(
        "caddy.log",
        "2026/11/28 14:01:58.332\tINFO\tusing provided configuration\t"
        '{"config_file": "/etc/caddy/Caddyfile", "config_adapter": "caddyfile"}\n'
        "2026/11/28 14:01:58.340\tWARN\tCaddyfile input is not formatted; run 'caddy fmt "
        "--overwrite' to fix inconsistencies\t"
        '{"adapter": "caddyfile", "file": "/etc/caddy/Caddyfile", "line": 2}\n'
        "2026/11/28 14:02:03.118\tERROR\thttp.log.error\tdial tcp 10.0.3.40:8080: connect: "
        'connection refused\t{"request": {"remote_ip": "203.0.113.7", "method": "POST", '
        '"uri": "/api/checkout"}, "duration": 0.0031, "status": 502}\n'
        "2026/11/28 14:02:04.000\tINFO\ttls.cache.maintenance\tstarted background certificate "
        'maintenance\t{"cache": "0xc0004e8000"}\n',
        "caddy-console",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "using provided configuration"),
            (2, 2, "2026-11-28 14:01:58.340", "warning", "Caddyfile input is not formatted"),
            (3, 3, "2026-11-28 14:02:03.118", "error", "dial tcp 10.0.3.40:8080"),
            (4, 4, "2026-11-28 14:02:04.000", "info", "started background certificate"),
        ),
        {3: {"logger": "http.log.error"}},
    ),
    Case(
        "cache.log",
        "2026/11/28 14:01:58| Set Current Directory to /var/spool/squid\n"
        "2026/11/28 14:01:58 kid1| Starting Squid Cache version 6.6 for x86_64-pc-linux-gnu...\n"
        "2026/11/28 14:02:03 kid1| WARNING: You should probably remove 'example.com' from the ACL "
        "named 'blocked'\n"
        "2026/11/28 14:02:03 kid1| ERROR: Connection to peer-1 failed\n"
        "    current master transaction: master57\n"
        "2026/11/28 14:02:04 kid1| WARNING! Your cache is running out of filedescriptors\n"
        "2026/11/28 14:02:05 kid1| FATAL: The ssl_crtd helpers are crashing too rapidly, need "
        "help!\n"
        "2026/11/28 14:02:05 kid1| Squid Cache (Version 6.6): Terminated abnormally.\n",
        "squid-cache",
        (
            (1, 1, "2026-11-28 14:01:58.000", None, "Set Current Directory"),
            (2, 2, "2026-11-28 14:01:58.000", None, "Starting Squid Cache"),
            (3, 3, "2026-11-28 14:02:03.000", "warning", "WARNING: You should probably"),
            (4, 5, "2026-11-28 14:02:03.000", "error", "ERROR: Connection to peer-1"),
            (6, 6, "2026-11-28 14:02:04.000", "warning", "WARNING! Your cache"),
            (7, 7, "2026-11-28 14:02:05.000", "fatal", "FATAL: The ssl_crtd helpers"),
            (8, 8, "2026-11-28 14:02:05.000", None, "Squid Cache (Version 6.6)"),
        ),
        {2: {"process": "kid1"}},
    ),
    Case(
        "lighttpd-error.log",
        "2026-11-28 14:01:58: (server.c.1588) server started (lighttpd/1.4.73)\n"
        "2026-11-28 14:02:03: (gw_backend.c.962) establishing connection failed: Connection "
        "refused socket: unix:/run/lighttpd/php.socket-0\n"
        "2026-11-28 14:02:03: (gw_backend.c.1013) all handlers for /index.php? on .php are down.\n"
        "2026-11-28 14:02:07: (configfile.c.1287) WARNING: unknown config-key: url.rewrite-once "
        "(ignored)\n"
        "2026-11-28 14:02:08: (server.c.2097) server stopped by UID = 0 PID = 1\n",
        "lighttpd",
        (
            (1, 1, "2026-11-28 14:01:58.000", None, "server started (lighttpd"),
            (2, 2, "2026-11-28 14:02:03.000", None, "establishing connection failed"),
            (3, 3, "2026-11-28 14:02:03.000", None, "all handlers for /index.php?"),
            (4, 4, "2026-11-28 14:02:07.000", "warning", "WARNING: unknown config-key"),
            (5, 5, "2026-11-28 14:02:08.000", None, "server stopped by UID"),
        ),
        {2: {"source": "gw_backend.c.962"}},
    ),
    Case(
        "unit.log",
        "2026/11/28 14:01:58 [info] 1#1 unit 1.31.1 started\n"
        '2026/11/28 14:01:58 [notice] 9#9 module: python 3.11.2 "/usr/lib/unit/modules/'
        'python3.11.unit.so"\n'
        '2026/11/28 14:02:03 [alert] 43#43 Python failed to import module "wsgi"\n'
        "Traceback (most recent call last):\n"
        '  File "/srv/shop/wsgi.py", line 3, in <module>\n'
        "    import flask\n"
        "ModuleNotFoundError: No module named 'flask'\n"
        "2026/11/28 14:02:03 [notice] 42#42 app process 43 exited with code 1\n"
        "2026/11/28 14:02:03 [warn] 11#20 sendmsg(14, -1, -1, 1) failed (32: Broken pipe)\n"
        "2026/11/28 14:02:05.118 [debug] 11#21 *12 http11 conn read fd:19 rc:-1\n",
        "nginx-unit",
        (
            (1, 1, "2026-11-28 14:01:58.000", "info", "unit 1.31.1 started"),
            (2, 2, "2026-11-28 14:01:58.000", "notice", "module: python 3.11.2"),
            (3, 7, "2026-11-28 14:02:03.000", "critical", "Python failed to import"),
            (8, 8, "2026-11-28 14:02:03.000", "notice", "app process 43 exited"),
            (9, 9, "2026-11-28 14:02:03.000", "warning", "sendmsg(14, -1, -1, 1) failed"),
            (10, 10, "2026-11-28 14:02:05.118", "debug", "http11 conn read"),
        ),
        {10: {"pid": "11", "tid": "21", "connection": "12"}},
    ),
    Case(
        "php_errors.log",
        '[28-Nov-2026 14:02:03 UTC] PHP Warning:  Undefined array key "id" in /var/www/html/cart'
        ".php on line 42\n"
        "[28-Nov-2026 14:02:03 UTC] PHP Deprecated:  Creation of dynamic property App\\Cart::"
        "$items is deprecated in /var/www/html/src/Cart.php on line 17\n"
        "[28-Nov-2026 14:02:04 UTC] PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] "
        "[2002] Connection refused in /var/www/html/src/Db.php:21\n"
        "Stack trace:\n"
        "#0 /var/www/html/src/Db.php(21): PDO->__construct('mysql:host=db;d...', 'shop', "
        "Object(SensitiveParameterValue))\n"
        "#1 /var/www/html/index.php(8): App\\Db::connect()\n"
        "#2 {main}\n"
        "  thrown in /var/www/html/src/Db.php on line 21\n"
        '[28-Nov-2026 14:02:05 UTC] PHP Parse error:  syntax error, unexpected token "}" in '
        "/var/www/html/admin.php on line 88\n",
        "php-error",
        (
            (1, 1, "2026-11-28 14:02:03.000", "warning", 'Undefined array key "id"'),
            (2, 2, "2026-11-28 14:02:03.000", "notice", "Creation of dynamic property"),
            (3, 8, "2026-11-28 14:02:04.000", "fatal", "Uncaught PDOException"),
            (9, 9, "2026-11-28 14:02:05.000", "fatal", "syntax error, unexpected token"),
        ),
    ),
    Case(
        "php8.2-fpm.log",
        "[28-Nov-2026 14:01:58] NOTICE: fpm is running, pid 1\n"
        "[28-Nov-2026 14:01:58] NOTICE: ready to handle connections\n"
        "[28-Nov-2026 14:02:03] WARNING: [pool www] server reached pm.max_children setting (5), "
        "consider raising it\n"
        '[28-Nov-2026 14:02:03] WARNING: [pool www] child 812 said into stderr: "PHP Fatal error:'
        "  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in "
        '/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Connection.php on line 422"'
        "\n"
        "[28-Nov-2026 14:02:04] ERROR: unable to bind listening socket for address '/run/php/"
        "php8.2-fpm.sock': Address already in use (98)\n"
        "[28-Nov-2026 14:02:05] ALERT: [pool www] pm.max_children must be a positive value\n"
        "[28-Nov-2026 14:02:07.118442] DEBUG: pid 1, fpm_scoreboard_init_main(), line 40: got "
        "clock tick '100'\n",
        "php-error",
        (
            (1, 1, "2026-11-28 14:01:58.000", "notice", "fpm is running, pid 1"),
            (2, 2, "2026-11-28 14:01:58.000", "notice", "ready to handle connections"),
            (3, 3, "2026-11-28 14:02:03.000", "warning", "[pool www] server reached"),
            (4, 4, "2026-11-28 14:02:03.000", "warning", "[pool www] child 812 said"),
            (5, 5, "2026-11-28 14:02:04.000", "error", "unable to bind listening socket"),
            (6, 6, "2026-11-28 14:02:05.000", "critical", "[pool www] pm.max_children"),
            (7, 7, "2026-11-28 14:02:07.118", "debug", "pid 1, fpm_scoreboard_init_main"),
        ),
    ),
    Case(
        "jenkins.log",
        "Running from: /usr/share/java/jenkins.war\n"
        "webroot: /var/cache/jenkins/war\n"
        "2026-11-28 14:01:58.332+0000 [id=1]\tINFO\twinstone.Logger#logInternal: Beginning "
        "extraction from war file\n"
        "2026-11-28 14:02:03.118+0000 [id=45]\tSEVERE\thudson.model.Executor#finish1: Executor "
        "threw an exception\n"
        'java.lang.NullPointerException: Cannot invoke "hudson.model.Run.getParent()" because '
        '"run" is null\n'
        "\tat hudson.model.Executor.finish1(Executor.java:485)\n"
        "\tat hudson.model.Executor.run(Executor.java:451)\n"
        "2026-11-28 15:02:04.500+0100 [id=52]\tWARNING\thudson.plugins.git.GitSCM#fetchFrom: "
        "Failed to fetch from https://git.example.com/shop.git\n"
        'hudson.plugins.git.GitException: Command "git fetch --tags --force --progress --prune -- '
        'https://git.example.com/shop.git +refs/heads/*:refs/remotes/origin/*" returned status '
        "code 128:\n"
        "stdout: \n"
        "stderr: fatal: unable to access 'https://git.example.com/shop.git/': Could not resolve "
        "host: git.example.com\n"
        "\n"
        "\tat org.jenkinsci.plugins.gitclient.CliGitAPIImpl.launchCommandIn(CliGitAPIImpl.java:"
        "2734)\n"
        "2026-11-28 14:02:05.000+0000 [id=31]\tINFO\thudson.lifecycle.Lifecycle#onReady: Jenkins "
        "is fully up and running\n"
        "2026-11-28 14:02:06.000+0000 [id=60]\tFINE\thudson.model.Queue#maintain: Queue "
        "maintenance started\n",
        "jenkins",
        (
            (1, 1, None, None, "Running from:"),
            (2, 2, None, None, "webroot:"),
            (3, 3, "2026-11-28 14:01:58.332", "info", "Beginning extraction"),
            (4, 7, "2026-11-28 14:02:03.118", "error", "Executor threw an exception"),
            (8, 13, "2026-11-28 14:02:04.500", "warning", "Failed to fetch from"),
            (14, 14, "2026-11-28 14:02:05.000", "info", "Jenkins is fully up"),
            (15, 15, "2026-11-28 14:02:06.000", "debug", "Queue maintenance started"),
        ),
        {4: {"thread": "45", "source": "hudson.model.Executor#finish1"}},
    ),
    Case(
        "zabbix_server.log",
        "  4242:20261128:140158.332 Starting Zabbix Server. Zabbix 6.0.23 (revision 4d3b1c8b2c9).\n"
        "  4242:20261128:140158.332 ****** Enabled features ******\n"
        "  4242:20261128:140158.332 SNMP monitoring:           YES\n"
        "  4242:20261128:140158.340 ******************************\n"
        "  4242:20261128:140203.118 [Z3001] connection to database 'zabbix' failed: [2002] Can't "
        "connect to local MySQL server through socket '/var/run/mysqld/mysqld.sock' (2)\n"
        "  4242:20261128:140203.118 database is down: reconnecting in 10 seconds\n"
        '  4250:20261128:140204.412 cannot send list of active checks to "10.0.3.12": host '
        "[web-1] not found\n"
        '123456:20261128:140208.000 slow query: 3.118442 sec, "select itemid from items where '
        'hostid=10084"\n',
        "zabbix",
        (
            (1, 1, "2026-11-28 14:01:58.332", None, "Starting Zabbix Server."),
            (2, 2, "2026-11-28 14:01:58.332", None, "****** Enabled features"),
            (3, 3, "2026-11-28 14:01:58.332", None, "SNMP monitoring:"),
            (4, 4, "2026-11-28 14:01:58.340", None, "******************************"),
            (5, 5, "2026-11-28 14:02:03.118", None, "[Z3001] connection to database"),
            (6, 6, "2026-11-28 14:02:03.118", None, "database is down"),
            (7, 7, "2026-11-28 14:02:04.412", None, "cannot send list of active checks"),
            (8, 8, "2026-11-28 14:02:08.000", None, "slow query: 3.118442 sec"),
        ),
        {8: {"pid": "123456"}},
    ),
    Case(
        "supervisord.log",
        "2026-11-28 14:01:58,332 CRIT Supervisor is running as root.  Privileges were not dropped"
        " because no user is specified in the config file.  If you intend to run as root, you can"
        " set user=root in the config file to avoid this message.\n"
        "2026-11-28 14:01:58,353 INFO supervisord started with pid 1\n"
        "2026-11-28 14:01:59,356 INFO spawned: 'shop-worker' with pid 812\n"
        "2026-11-28 14:02:03,118 WARN exited: shop-worker (exit status 1; not expected)\n"
        "2026-11-28 14:02:07,118 INFO gave up: shop-worker entered FATAL state, too many start "
        "retries too quickly\n"
        "2026-11-28 14:02:08,000 ERRO pool shop-fcgi event buffer overflowed, discarding event 12"
        "\n"
        "2026-11-28 14:02:09,000 DEBG 'shop-worker' stderr output:\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/shop/worker.py", line 3, in <module>\n'
        "    import redis\n"
        "ModuleNotFoundError: No module named 'redis'\n"
        "\n"
        "2026-11-28 14:02:10,200 INFO stopped: shop-worker (terminated by SIGTERM)\n",
        "supervisord",
        (
            (1, 1, "2026-11-28 14:01:58.332", "critical", "Supervisor is running as root."),
            (2, 2, "2026-11-28 14:01:58.353", "info", "supervisord started with pid 1"),
            (3, 3, "2026-11-28 14:01:59.356", "info", "spawned: 'shop-worker'"),
            (4, 4, "2026-11-28 14:02:03.118", "warning", "exited: shop-worker"),
            (5, 5, "2026-11-28 14:02:07.118", "info", "gave up: shop-worker"),
            (6, 6, "2026-11-28 14:02:08.000", "error", "pool shop-fcgi event buffer"),
            (7, 12, "2026-11-28 14:02:09.000", "debug", "'shop-worker' stderr output:"),
            (13, 13, "2026-11-28 14:02:10.200", "info", "stopped: shop-worker"),
        ),
    ),
    Case(
        "attempt=1.log",
        "[2026-11-28, 14:01:58 UTC] {taskinstance.py:1159} INFO - Dependencies all met for "
        "dep_context=non-requeueable deps ti=<TaskInstance: shop_etl.load_orders "
        "manual__2026-11-28T14:01:50+00:00 [queued]>\n"
        "[2026-11-28, 14:01:58 UTC] {taskinstance.py:1361} INFO - Starting attempt 1 of 3\n"
        "[2026-11-28, 14:02:03 UTC] {logging_mixin.py:151} WARNING - /home/airflow/.local/lib/"
        "python3.11/site-packages/airflow/utils/context.py:206 AirflowContextDeprecationWarning: "
        "Accessing 'execution_date' from the template is deprecated.\n"
        "[2026-11-28, 14:02:03 UTC] {taskinstance.py:1943} ERROR - Task failed with exception\n"
        "Traceback (most recent call last):\n"
        '  File "/home/airflow/.local/lib/python3.11/site-packages/airflow/operators/python.py", '
        "line 192, in execute\n"
        "    return_value = self.execute_callable()\n"
        'psycopg2.OperationalError: connection to server at "db" (10.0.3.80), port 5432 failed: '
        "Connection refused\n"
        "[2026-11-28, 14:02:03 UTC] {taskinstance.py:1400} INFO - Marking task as UP_FOR_RETRY. "
        "dag_id=shop_etl, task_id=load_orders, execution_date=20261128T140150\n"
        "[2026-11-28, 15:02:04 +01] {standard_task_runner.py:104} ERROR - Failed to execute job "
        "812 for task load_orders (connection refused; 4242)\n",
        "airflow",
        (
            (1, 1, "2026-11-28 14:01:58.000", "info", "Dependencies all met"),
            (2, 2, "2026-11-28 14:01:58.000", "info", "Starting attempt 1 of 3"),
            (3, 3, "2026-11-28 14:02:03.000", "warning", "/home/airflow/.local/lib"),
            (4, 8, "2026-11-28 14:02:03.000", "error", "Task failed with exception"),
            (9, 9, "2026-11-28 14:02:03.000", "info", "Marking task as UP_FOR_RETRY."),
            (10, 10, "2026-11-28 14:02:04.000", "error", "Failed to execute job 812"),
        ),
        {4: {"file": "taskinstance.py", "lineno": "1943"}},
    ),
    Case(
        "attempt=2.log",
        "[2026-11-28T14:01:58.332+0000] {taskinstance.py:1159} INFO - Dependencies all met for "
        "dep_context=non-requeueable deps ti=<TaskInstance: shop_etl.load_orders "
        "manual__2026-11-28T14:01:50+00:00 [queued]>\n"
        "[2026-11-28T14:02:03.118+0000] {taskinstance.py:2905} ERROR - Task failed with exception"
        "\n"
        "Traceback (most recent call last):\n"
        '  File "/home/airflow/.local/lib/python3.12/site-packages/airflow/models/taskinstance.py'
        '", line 465, in _execute_task\n'
        "    result = _execute_callable(context=context, **execute_callable_kwargs)\n"
        "ValueError: no orders\n"
        "[2026-11-28T15:02:04.000+0100] {taskinstance.py:1206} INFO - Marking task as FAILED.\n",
        "airflow",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Dependencies all met"),
            (2, 6, "2026-11-28 14:02:03.118", "error", "Task failed with exception"),
            (7, 7, "2026-11-28 14:02:04.000", "info", "Marking task as FAILED."),
        ),
    ),
    Case(
        "1.log",
        "[2026-11-28 14:01:58,332] {taskinstance.py:1068} INFO - Dependencies all met for "
        "<TaskInstance: shop_etl.load_orders 2026-11-28T14:01:50+00:00 [queued]>\n"
        "[2026-11-28 14:01:58,340] {taskinstance.py:1329} INFO -\n"
        "[2026-11-28 14:01:58,340] {taskinstance.py:1330} INFO - Starting attempt 1 of 1\n"
        "[2026-11-28 14:02:03,118] {taskinstance.py:1482} ERROR - Task failed with exception\n"
        "Traceback (most recent call last):\n"
        '  File "/usr/local/lib/python3.8/site-packages/airflow/models/taskinstance.py", line '
        "1138, in _run_raw_task\n"
        "    self._prepare_and_execute_task_with_callbacks(context, task)\n"
        "KeyError: 'orders'\n"
        "[2026-11-28 14:02:03,120] {taskinstance.py:1532} INFO - Marking task as FAILED. "
        "dag_id=shop_etl, task_id=load_orders\n",
        "airflow",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Dependencies all met"),
            (2, 2, "2026-11-28 14:01:58.340", "info", ""),
            (3, 3, "2026-11-28 14:01:58.340", "info", "Starting attempt 1 of 1"),
            (4, 8, "2026-11-28 14:02:03.118", "error", "Task failed with exception"),
            (9, 9, "2026-11-28 14:02:03.120", "info", "Marking task as FAILED."),
        ),
    ),
    Case(
        "ansible.log",
        "2026-11-28 14:01:58,332 p=4242 u=deploy n=ansible | PLAY [web] ***************************"
        "******************************************\n"
        "2026-11-28 14:01:58,340 p=4242 u=deploy n=ansible | TASK [Gathering Facts] ***************"
        "******************************************\n"
        "2026-11-28 14:02:01,118 p=4242 u=deploy n=ansible | ok: [web-1]\n"
        '2026-11-28 14:02:03,118 p=4242 u=deploy n=ansible | fatal: [web-2]: UNREACHABLE! => {"'
        'changed": false, "msg": "Failed to connect to the host via ssh: ssh: connect to host '
        '10.0.3.12 port 22: Connection timed out", "unreachable": true}\n'
        '2026-11-28 14:02:05,412 p=4242 u=deploy n=ansible | fatal: [web-1]: FAILED! => {"changed"'
        ': false, "msg": "Unable to restart service shop: Job for shop.service failed because the '
        'control process exited with error code."}\n'
        "2026-11-28 14:02:05,500 p=4242 u=deploy n=ansible | [WARNING]: Could not match supplied "
        "host pattern, ignoring: db\n"
        "2026-11-28 14:02:06,001 p=4242 u=deploy n=ansible | web-1                      : ok=3    "
        "changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0\n",
        "ansible",
        (
            (1, 1, "2026-11-28 14:01:58.332", None, "PLAY [web] ****"),
            (2, 2, "2026-11-28 14:01:58.340", None, "TASK [Gathering Facts]"),
            (3, 3, "2026-11-28 14:02:01.118", None, "ok: [web-1]"),
            (4, 4, "2026-11-28 14:02:03.118", "error", "fatal: [web-2]: UNREACHABLE!"),
            (5, 5, "2026-11-28 14:02:05.412", "error", "fatal: [web-1]: FAILED!"),
            (6, 6, "2026-11-28 14:02:05.500", "warning", "[WARNING]: Could not match"),
            (7, 7, "2026-11-28 14:02:06.001", None, "web-1                      : ok=3"),
        ),
        {4: {"user": "deploy", "pid": "4242"}},
    ),
    Case(
        "ansible-core-2.17.log",
        "2026-11-28 14:01:58,332 p=4242 u=deploy n=ansible INFO| PLAY [web] **********************"
        "***********************************************\n"
        "2026-11-28 14:02:03,118 p=4242 u=deploy n=ansible ERROR| fatal: [web-2]: UNREACHABLE! => "
        '{"changed": false, "msg": "Failed to connect to the host via ssh", "unreachable": true}\n'
        "2026-11-28 14:02:05,500 p=4242 u=deploy n=ansible WARNING| [WARNING]: Could not match "
        "supplied host pattern, ignoring: db\n"
        "2026-11-28 14:02:06,000 p=4242 u=deploy n=ansible INFO| ok: [web-1]\n",
        "ansible",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "PLAY [web]"),
            (2, 2, "2026-11-28 14:02:03.118", "error", "fatal: [web-2]: UNREACHABLE!"),
            (3, 3, "2026-11-28 14:02:05.500", "warning", "[WARNING]: Could not match"),
            (4, 4, "2026-11-28 14:02:06.000", "info", "ok: [web-1]"),
        ),
    ),
]


@pytest.mark.parametrize("case", ADDED, ids=[case.file for case in ADDED])
def test_a_server_format_reads_its_program_file(tmp_path: Path, case: Case) -> None:
    _check(tmp_path, case)


# -- programs other formats already read ------------------------------------------------------

CHECKED = [
    Case(
        "mysqld.log",
        "2026-11-28T14:01:58.332112Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld "
        "8.0.35) starting as process 1\n"
        "2026-11-28T14:01:59.512000Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is "
        "self signed.\n"
        "2026-11-28T14:02:03.118442Z 812 [Note] [MY-010914] [Server] Aborted connection 812 to db:"
        " 'shop' user: 'app' host: '10.0.3.12' (Got an error reading communication packets).\n"
        "2026-11-28T15:02:03.300000+01:00 0 [ERROR] [MY-013183] [InnoDB] Assertion failure: "
        "os0file.cc:2890:dir_fd != -1 thread 139872\n"
        "InnoDB: We intentionally generate a memory trap.\n"
        "InnoDB: Submit a detailed bug report to http://bugs.mysql.com.\n",
        "mysql",
        (
            (1, 1, "2026-11-28 14:01:58.332", "notice", "/usr/sbin/mysqld (mysqld 8.0.35)"),
            (2, 2, "2026-11-28 14:01:59.512", "warning", "CA certificate ca.pem"),
            (3, 3, "2026-11-28 14:02:03.118", "info", "Aborted connection 812"),
            (4, 6, "2026-11-28 14:02:03.300", "error", "Assertion failure: os0file.cc"),
        ),
    ),
    Case(
        "mariadb.err",
        "2026-11-28 14:01:58 0 [Note] Starting MariaDB 10.11.6-MariaDB-0+deb12u1 source revision "
        "fecd78b83785d5ae96f2c6ff340375be803cd299 as process 812\n"
        "2026-11-28 14:01:59 0 [Warning] InnoDB: Retry attempts for reading partial data failed."
        "\n"
        "2026-11-28 14:01:59 0 [ERROR] Plugin 'InnoDB' registration as a STORAGE ENGINE failed.\n"
        "2026-11-28 14:02:04 0 [Note] /usr/sbin/mariadbd: ready for connections.\n"
        "Version: '10.11.6-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  "
        "Debian 12\n",
        "mysql",
        (
            (1, 1, "2026-11-28 14:01:58.000", "info", "Starting MariaDB 10.11.6"),
            (2, 2, "2026-11-28 14:01:59.000", "warning", "InnoDB: Retry attempts"),
            (3, 3, "2026-11-28 14:01:59.000", "error", "Plugin 'InnoDB' registration"),
            (4, 5, "2026-11-28 14:02:04.000", "info", "/usr/sbin/mariadbd: ready"),
        ),
    ),
    Case(
        "system.log",
        "INFO  [main] 2026-11-28 14:01:58,332 YamlConfigurationLoader.java:97 - Configuration "
        "location: file:/etc/cassandra/cassandra.yaml\n"
        "WARN  [GossipTasks:1] 2026-11-28 14:02:02,554 FailureDetector.java:288 - Not marking "
        "nodes down due to local pause of 8123456789ns > 5000000000ns\n"
        "ERROR [MutationStage-2] 2026-11-28 14:02:03,118 JVMStabilityInspector.java:196 - JVM "
        "state determined to be unstable.  Exiting forcefully due to:\n"
        "java.lang.OutOfMemoryError: Java heap space\n"
        "\tat java.base/java.nio.HeapByteBuffer.<init>(HeapByteBuffer.java:61)\n"
        "DEBUG [CompactionExecutor:3] 2026-11-28 14:02:04,000 CompactionTask.java:258 - Compacted "
        "(a1b2c3d0-ad8f-11ef-9c2e-5b1f6e7a8c9d) 4 sstables to level=0.\n",
        "generic",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Configuration location:"),
            (2, 2, "2026-11-28 14:02:02.554", "warning", "Not marking nodes down"),
            (3, 5, "2026-11-28 14:02:03.118", "error", "JVM state determined to be unstable"),
            (6, 6, "2026-11-28 14:02:04.000", "debug", "Compacted (a1b2c3d0"),
        ),
        within=True,
    ),
    Case(
        "catalina.out",
        "NOTE: Picked up JDK_JAVA_OPTIONS:  --add-opens=java.base/java.lang=ALL-UNNAMED\n"
        "28-Nov-2026 14:01:58.332 INFO [main] org.apache.catalina.startup.VersionLoggerListener."
        "log Server version name:   Apache Tomcat/9.0.83\n"
        "28-Nov-2026 14:01:59.118 WARNING [main] org.apache.tomcat.util.digester.SetPropertiesRule"
        ".begin Match [Server/Service/Connector] failed to set property [maxSpareThreads] to [75]\n"
        "28-Nov-2026 14:02:03.412 SEVERE [http-nio-8080-exec-7] org.apache.catalina.core."
        "StandardWrapperValve.invoke Servlet.service() for servlet [dispatcherServlet] in context "
        "with path [/shop] threw exception\n"
        "\tjava.lang.NullPointerException\n"
        "\t\tat com.example.shop.CartController.checkout(CartController.java:88)\n"
        "28-Nov-2026 14:02:05.000 INFO [main] org.apache.catalina.startup.Catalina.start Server "
        "startup in [6512] milliseconds\n",
        "generic",
        (
            (1, 1, None, None, "NOTE: Picked up JDK_JAVA_OPTIONS"),
            (2, 2, "2026-11-28 14:01:58.332", "info", "Server version name:"),
            (3, 3, "2026-11-28 14:01:59.118", "warning", "failed to set property"),
            (4, 6, "2026-11-28 14:02:03.412", "error", "Servlet.service() for servlet"),
            (7, 7, "2026-11-28 14:02:05.000", "info", "Server startup in [6512]"),
        ),
        within=True,
    ),
    Case(
        "mongod.log",
        "2026-11-28T14:01:58.332+0000 I CONTROL  [initandlisten] MongoDB starting : pid=1 "
        "port=27017 dbpath=/data/db 64-bit host=mongo-1\n"
        "2026-11-28T14:01:58.341+0000 W CONTROL  [initandlisten] ** WARNING: Access control is "
        "not enabled for the database.\n"
        "2026-11-28T14:02:03.118+0000 E STORAGE  [conn42] WiredTiger error (28) [1795874523:1184"
        "42][1:0x7f8a2c1e9700], WT_SESSION.commit_transaction: write error: No space left on "
        "device\n"
        "2026-11-28T15:02:04.000+0100 I NETWORK  [listener] connection accepted from "
        "10.0.3.12:51234 #43 (12 connections now open)\n",
        "generic",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "MongoDB starting : pid=1"),
            (2, 2, "2026-11-28 14:01:58.341", "warning", "** WARNING: Access control"),
            (3, 3, "2026-11-28 14:02:03.118", "error", "WiredTiger error (28)"),
            (4, 4, "2026-11-28 14:02:04.000", "info", "connection accepted from"),
        ),
        within=True,
    ),
    Case(
        "sentinel.log",
        "1:X 28 Nov 2026 14:01:58.332 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"
        "1:X 28 Nov 2026 14:01:58.334 * Running mode=sentinel, port=26379.\n"
        "1:X 28 Nov 2026 14:02:03.118 # +sdown master mymaster 10.0.3.60 6379\n"
        "1:X 28 Nov 2026 14:02:03.200 # +odown master mymaster 10.0.3.60 6379 #quorum 2/2\n"
        "1:X 28 Nov 2026 14:02:04.100 * +failover-state-send-slaveof-noone slave 10.0.3.61:6379 "
        "10.0.3.61 6379 @ mymaster 10.0.3.60 6379\n"
        "1:X 28 Nov 2026 14:02:05.000 # +switch-master mymaster 10.0.3.60 6379 10.0.3.61 6379\n",
        "redis",
        (
            (1, 1, "2026-11-28 14:01:58.332", "warning", "oO0OoO0OoO0Oo Redis is starting"),
            (2, 2, "2026-11-28 14:01:58.334", "notice", "Running mode=sentinel"),
            (3, 3, "2026-11-28 14:02:03.118", "warning", "+sdown master mymaster"),
            (4, 4, "2026-11-28 14:02:03.200", "warning", "+odown master mymaster"),
            (5, 5, "2026-11-28 14:02:04.100", "notice", "+failover-state-send-slaveof"),
            (6, 6, "2026-11-28 14:02:05.000", "warning", "+switch-master mymaster"),
        ),
    ),
    Case(
        "varnishncsa.log",
        '203.0.113.7 - - [28/Nov/2026:14:02:03 +0000] "GET http://shop.example.com/api/cart '
        'HTTP/1.1" 200 512 "https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0)'
        ' Gecko/20100101 Firefox/120.0"\n'
        '203.0.113.8 - - [28/Nov/2026:14:02:04 +0000] "POST http://shop.example.com/api/checkout '
        'HTTP/1.1" 503 282 "https://shop.example.com/cart" "Mozilla/5.0 (Macintosh; Intel Mac OS '
        'X 14_1) AppleWebKit/605.1.15"\n'
        '203.0.113.9 - - [28/Nov/2026:15:02:05 +0100] "GET http://shop.example.com/missing '
        'HTTP/1.1" 404 0 "-" "curl/8.4.0"\n',
        "access-combined",
        (
            (1, 1, "2026-11-28 14:02:03.000", "info", '"GET http://shop.example.com'),
            (2, 2, "2026-11-28 14:02:04.000", "error", '"POST http://shop.example.com'),
            (3, 3, "2026-11-28 14:02:05.000", "warning", '"GET http://shop.example.com'),
        ),
    ),
    Case(
        "traefik-access.log",
        '10.0.3.12 - - [28/Nov/2026:14:02:03 +0000] "GET /api/cart HTTP/2.0" 200 512 "-" '
        '"Mozilla/5.0" 812 "shop@docker" "http://10.0.3.40:8080" 12ms\n'
        '10.0.3.12 - - [28/Nov/2026:14:02:04 +0000] "POST /api/checkout HTTP/2.0" 502 11 "-" '
        '"Mozilla/5.0" 813 "shop@docker" "http://10.0.3.40:8080" 5002ms\n',
        "access-combined",
        (
            (1, 1, "2026-11-28 14:02:03.000", "info", '"GET /api/cart HTTP/2.0"'),
            (2, 2, "2026-11-28 14:02:04.000", "error", '"POST /api/checkout HTTP/2.0"'),
        ),
    ),
    Case(
        "traefik-v2.log",
        'time="2026-11-28T14:01:58Z" level=info msg="Configuration loaded from flags."\n'
        'time="2026-11-28T14:02:03Z" level=error msg="service \\"shop\\" error: unable to find the'
        ' IP address for the container \\"/shop-1\\": the server is ignored" container=shop-1 '
        "providerName=docker\n"
        'time="2026-11-28T15:02:03+01:00" level=warning msg="A new release has been found: '
        '2.10.6. Please consider updating."\n',
        "logfmt",
        (
            (1, 1, "2026-11-28 14:01:58.000", "info", "Configuration loaded from flags."),
            (2, 2, "2026-11-28 14:02:03.000", "error", 'service "shop" error'),
            (3, 3, "2026-11-28 14:02:03.000", "warning", "A new release has been found"),
        ),
    ),
    Case(
        "caddy.json.log",
        '{"level":"info","ts":1795874518.3321,"msg":"using provided configuration",'
        '"config_file":"/etc/caddy/Caddyfile","config_adapter":"caddyfile"}\n'
        '{"level":"error","ts":1795874523.1184,"logger":"http.log.error","msg":"dial tcp '
        '10.0.3.40:8080: connect: connection refused","request":{"remote_ip":"203.0.113.7",'
        '"method":"POST","host":"shop.example.com","uri":"/api/checkout"},"duration":0.0031,'
        '"status":502,"err_id":"k2c7g1xpa","err_trace":"reverseproxy.statusError (reverseproxy.'
        'go:1267)"}\n'
        '{"level":"info","ts":1795874524.2,"logger":"http.log.access.log0","msg":"handled '
        'request","request":{"remote_ip":"203.0.113.8","method":"GET","uri":"/"},"bytes_read":0,'
        '"duration":0.0012,"size":1234,"status":200}\n',
        "zap",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "using provided configuration"),
            (2, 2, "2026-11-28 14:02:03.118", "error", "dial tcp 10.0.3.40:8080"),
            (3, 3, "2026-11-28 14:02:04.200", "info", "handled request"),
        ),
    ),
    Case(
        "etcd-3.5.log",
        '{"level":"warn","ts":"2026-11-28T14:02:03.118442Z","caller":"etcdserver/util.go:170",'
        '"msg":"apply request took too long","took":"1.2s","expected-duration":"100ms",'
        '"error":"context deadline exceeded"}\n'
        '{"level":"panic","ts":"2026-11-28T14:02:05.000000Z","caller":"backend/backend.go:212",'
        '"msg":"failed to open database","path":"/var/lib/etcd/member/snap/db","error":"open '
        '/var/lib/etcd/member/snap/db: permission denied"}\n'
        "panic: failed to open database\n"
        "\n"
        "goroutine 1 [running]:\n"
        "go.uber.org/zap/zapcore.CheckWriteAction.OnWrite(0x2, 0xc0001e8000)\n"
        "\tgo.uber.org/zap@v1.17.0/zapcore/entry.go:234 +0x499\n",
        "json",
        (
            (1, 1, "2026-11-28 14:02:03.118", "warning", "apply request took too long"),
            (2, 7, "2026-11-28 14:02:05.000", "fatal", "failed to open database"),
        ),
    ),
    Case(
        "containerd.log",
        'time="2026-11-28T14:01:58.332112009Z" level=info msg="starting containerd" revision=64b8'
        "a811b07ba6288238eefc14d898ee0b5b99ba version=v1.7.11\n"
        'time="2026-11-28T14:01:58.341000000Z" level=warning msg="failed to load plugin io.contai'
        'nerd.snapshotter.v1.btrfs" error="path /var/lib/containerd/io.containerd.snapshotter.v1.'
        'btrfs (ext4) must be a btrfs filesystem to be used with the btrfs snapshotter"\n'
        'time="2026-11-28T14:02:03.118442009Z" level=error msg="PullImage \\"registry.example.com'
        '/shop/web:1.4.2\\" failed" error="failed to resolve reference: unexpected status from '
        'HEAD request: 401 Unauthorized"\n',
        "logfmt",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "starting containerd"),
            (2, 2, "2026-11-28 14:01:58.341", "warning", "failed to load plugin"),
            (3, 3, "2026-11-28 14:02:03.118", "error", 'PullImage "registry.example.com'),
        ),
    ),
    Case(
        "docker.journal.log",
        'Nov 28 14:01:58 node-1 dockerd[812]: time="2026-11-28T14:01:58.332112009Z" level=info '
        'msg="Starting up"\n'
        'Nov 28 14:02:03 node-1 dockerd[812]: time="2026-11-28T14:02:03.118442009Z" level=error '
        'msg="Handler for POST /v1.43/containers/create returned error: No such image: '
        'shop/web:1.4.2"\n'
        "Nov 28 14:02:05 node-1 systemd[1]: docker.service: Main process exited, code=exited, "
        "status=1/FAILURE\n",
        "syslog",
        (
            (1, 1, "2026-11-28 14:01:58.332", "info", "Starting up"),
            (2, 2, "2026-11-28 14:02:03.118", "error", "Handler for POST"),
            (3, 3, "2026-11-28 14:02:05.000", None, "docker.service: Main process"),
        ),
    ),
    Case(
        "production_json.log",
        '{"method":"POST","path":"/api/v4/jobs/request","format":"json","controller":"Grape",'
        '"action":"POST /api/:version/jobs/request","status":500,"time":"2026-11-28T14:02:03.118Z'
        '","params":[],"remote_ip":"10.0.3.12","user_id":null,"username":null,"ua":"gitlab-runner'
        ' 16.5.0","queue_duration_s":0.012,"correlation_id":"01HFQ3K9X8Y7Z6W5V4T3S2R1Q0",'
        '"duration_s":5.01}\n'
        '{"method":"GET","path":"/","format":"html","controller":"RootController","action":'
        '"index","status":200,"time":"2026-11-28T14:02:04.000Z","params":[],"remote_ip":'
        '"10.0.3.13","user_id":1,"username":"root","ua":"Mozilla/5.0","correlation_id":'
        '"01HFQ3K9X8Y7Z6W5V4T3S2R1Q1","duration_s":0.12}\n',
        "json",
        (
            (1, 1, "2026-11-28 14:02:03.118", "error", '{"method":"POST"'),
            (2, 2, "2026-11-28 14:02:04.000", "info", '{"method":"GET"'),
        ),
    ),
    Case(
        "application_json.log",
        '{"severity":"ERROR","time":"2026-11-28T14:02:05.118Z","correlation_id":"01HFQ3K9X8Y7Z6W5'
        'V4T3S2R1Q2","message":"Cannot obtain an exclusive lease for Ci::PipelineProcessing::'
        'AtomicProcessingService. There must be another instance already in execution."}\n'
        '{"severity":"INFO","time":"2026-11-28T14:02:06.000Z","correlation_id":"01HFQ3K9X8Y7Z6W5'
        'V4T3S2R1Q3","message":"Updating push mirror for project 812"}\n',
        "gcp",
        (
            (1, 1, "2026-11-28 14:02:05.118", "error", "Cannot obtain an exclusive lease"),
            (2, 2, "2026-11-28 14:02:06.000", "info", "Updating push mirror"),
        ),
    ),
]


@pytest.mark.parametrize("case", CHECKED, ids=[case.file for case in CHECKED])
def test_a_program_other_formats_read_stays_read_right(tmp_path: Path, case: Case) -> None:
    _check(tmp_path, case)


# -- the neighbours of the new formats keep their files ---------------------------------------

NEIGHBOURS = [
    # Python logging's `%(asctime)s %(levelname)s %(message)s`, INFO only: Supervisor's layout
    (
        "app.log",
        "2026-11-28 14:02:03,118 INFO Starting worker 3\n"
        "2026-11-28 14:02:04,000 INFO orders.sync: synced 12 orders\n",
        "python",
    ),
    # log4j's `%d %p %c: %m`, INFO and WARN only
    (
        "server.log",
        "2026-11-28 14:02:03,118 INFO com.example.orders.OrderSync: Sync started\n"
        "2026-11-28 14:02:04,000 WARN com.example.orders.OrderSync: Sync slow: 5012 ms\n",
        "log4j",
    ),
    # Chrome OS's syslog: the severity where the host goes, `ERR` as zerolog's
    (
        "messages",
        "2026-11-28T06:02:03.118442-08:00 ERR kernel: [  812.118442] ath10k_pci 0000:01:00.0: "
        "firmware crashed!\n"
        "2026-11-28T06:02:04.000000-08:00 ERR shill[1234]: [ERROR:manager.cc(812)] Failed to "
        "connect\n",
        "journal-short-iso",
    ),
    # nginx's error log: `pid#tid: `, where NGINX Unit writes no colon
    (
        "error.log",
        "2026/11/28 14:02:03 [error] 31#31: *5712 connect() failed (111: Connection refused) "
        'while connecting to upstream, client: 203.0.113.7, server: shop, request: "POST '
        '/api/checkout HTTP/1.1", upstream: "http://10.0.3.12:8080/api/checkout"\n'
        "2026/11/28 14:02:04 [warn] 31#31: *5713 an upstream response is buffered to a temporary "
        "file /var/cache/nginx/proxy_temp/1/00/0000000001\n",
        "nginx-error",
    ),
]


@pytest.mark.parametrize(("name", "text", "format"), NEIGHBOURS, ids=[n[0] for n in NEIGHBOURS])
def test_a_neighbour_of_a_server_format_keeps_its_file(
    tmp_path: Path, name: str, text: str, format: str
) -> None:
    _, detected = _read(tmp_path, name, text)
    assert detected == format


# -- what needs code beyond a format definition ----------------------------------------------


def test_nomad_agent_output_under_its_banner_is_hclog(tmp_path: Path) -> None:
    text = (
        "==> Starting Nomad agent...\n"
        "==> Nomad agent configuration:\n"
        "\n"
        "             Log Level: INFO\n"
        "\n"
        "==> Nomad agent started! Log data will stream in below:\n"
        "\n"
        "    2026-11-28T14:01:58.332Z [INFO]  nomad: serf: EventMemberJoin: nomad-1.global "
        "10.0.3.56\n"
        "    2026-11-28T14:02:03.118Z [ERROR] client.alloc_runner.task_runner: running driver "
        'failed: alloc_id=8f2c1e9b task=web error="failed to create container"\n'
    )
    records, detected = _read(tmp_path, "nomad.log", text)
    assert detected == "hclog"
    assert [(r.line, r.level) for r in records][-2:] == [(8, "info"), (9, "error")]


def test_php_error_log_in_a_named_zone_gives_the_instant(tmp_path: Path) -> None:
    text = (
        "[28-Nov-2026 15:02:05 Europe/Berlin] PHP Parse error:  syntax error, unexpected token "
        '"}" in /var/www/html/admin.php on line 88\n'
    )
    records, detected = _read(tmp_path, "php_errors.log", text)
    assert (detected, records[0].level) == ("php-error", "fatal")
    assert _utc(records[0]) == "2026-11-28 14:02:05.000"


def test_mongodb_text_log_fatal_and_debug_lines_have_their_level(tmp_path: Path) -> None:
    text = (
        "2026-11-28T14:02:03.120+0000 F -        [conn42] Fatal Assertion 28559 at "
        "src/mongo/db/storage/wiredtiger/wiredtiger_util.cpp 64\n"
        "2026-11-28T14:02:06.000+0000 D1 NETWORK  [conn43] Session from 10.0.3.12:51234 "
        "encountered a network error during SourceMessage\n"
    )
    records, _ = _read(tmp_path, "mongod.log", text)
    assert [r.level for r in records] == ["fatal", "debug"]


@pytest.mark.xfail(
    strict=True,
    reason="levels.LEVEL_WORDS lacks java.util.logging's FINE, FINER, FINEST and CONFIG: the "
    "generic reader, which reads Tomcat's catalina.out, gives those lines no level",
)
def test_tomcat_fine_lines_are_debug(tmp_path: Path) -> None:
    text = (
        "28-Nov-2026 14:02:05.000 INFO [main] org.apache.catalina.startup.Catalina.start Server "
        "startup in [6512] milliseconds\n"
        "28-Nov-2026 14:02:06.000 FINE [main] org.apache.catalina.core.ContainerBase."
        "backgroundProcess Background processing\n"
    )
    records, _ = _read(tmp_path, "catalina.out", text)
    assert [r.level for r in records] == ["info", "debug"]


@pytest.mark.xfail(
    strict=True,
    reason="json_reader.py reads a level from a string or a number, not from the first "
    'element of a list: Kibana 7 names it in `"tags":["error", ...]`',
)
def test_kibana7_json_takes_its_level_from_its_tags(tmp_path: Path) -> None:
    text = (
        '{"type":"log","@timestamp":"2026-11-28T14:02:03+00:00","tags":["error","elasticsearch",'
        '"data"],"pid":7,"message":"Request error, retrying\\nGET http://es-1:9200/_xpack => '
        'connect ECONNREFUSED 10.0.3.21:9200"}\n'
        '{"type":"log","@timestamp":"2026-11-28T14:02:03+00:00","tags":["warning","elasticsearch"'
        ',"data"],"pid":7,"message":"Unable to revive connection: http://es-1:9200/"}\n'
    )
    records, _ = _read(tmp_path, "kibana.log", text)
    assert [r.level for r in records] == ["error", "warning"]


def test_kubernetes_audit_event_has_its_time_and_status_level(tmp_path: Path) -> None:
    text = (
        '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"8f2c1e9b-'
        '0d7a-4c5e-8f3b-2a1908d7c6b5","stage":"ResponseComplete","requestURI":"/api/v1/namespace'
        's/shop/pods","verb":"create","user":{"username":"system:serviceaccount:kube-system:repli'
        'caset-controller"},"sourceIPs":["10.0.3.90"],"objectRef":{"resource":"pods","namespace":'
        '"shop","apiVersion":"v1"},"responseStatus":{"metadata":{},"status":"Failure","message":'
        '"pods \\"web-7d9f-x2k4\\" is forbidden: exceeded quota: compute-quota","reason":'
        '"Forbidden","code":403},"requestReceivedTimestamp":"2026-11-28T14:02:03.118442Z",'
        '"stageTimestamp":"2026-11-28T14:02:03.121442Z"}\n'
    )
    records, _ = _read(tmp_path, "audit.log", text)
    assert (_utc(records[0]), records[0].level) == ("2026-11-28 14:02:03.118", "warning")


@pytest.mark.xfail(
    strict=True,
    reason="Squid's native access.log is the example user format of "
    "tests/test_format_definitions.py, so the package leaves it undefined: the generic reader "
    "takes its epoch and finds no level in `TCP_MISS/503`",
)
def test_squid_native_access_log_takes_its_level_from_the_status(tmp_path: Path) -> None:
    text = (
        "1795874523.118    245 10.0.3.12 TCP_MISS/200 4512 GET http://shop.example.com/api/cart - "
        "HIER_DIRECT/93.184.216.34 application/json\n"
        "1795874526.000   5002 10.0.3.14 TCP_MISS/503 4215 GET http://backend.internal/health - "
        "HIER_DIRECT/10.0.3.40 text/html\n"
    )
    records, _ = _read(tmp_path, "access.log", text)
    assert [r.level for r in records] == ["info", "error"]
