"""Template mining on real-looking lines: the weak spots of Drain (short templates merging,
variables spanning several tokens, numbers inside tokens), masking, parameters, stable ids,
order independence, and grouping accuracy on the Loghub 2k benchmark."""

from __future__ import annotations

import csv
import hashlib
import random
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from log_analyzer.analysis.template_ids import templated_records
from log_analyzer.ingest import open_paths, parse_paths
from log_analyzer.mining.groups import ErrorGrouper
from log_analyzer.mining.masking import mask
from log_analyzer.mining.templates import Template, TemplateMiner

IPS = ("203.0.113.7", "198.51.100.23", "192.0.2.44", "10.42.3.17", "172.16.8.201")


def mine(lines: list[str]) -> tuple[TemplateMiner, list[Template]]:
    """Each line's final template, after every line has been added."""
    miner = TemplateMiner()
    forms = [mask(line) for line in lines]
    for form in forms:
        miner.add(form)
    final = [miner.template_of(form) for form in forms]
    assert all(template is not None for template in final)
    return miner, [template for template in final if template is not None]


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def by_template(lines: list[str]) -> dict[str, set[str]]:
    """Template text -> the distinct lines it holds."""
    _, templates = mine(lines)
    groups: dict[str, set[str]] = defaultdict(set)
    for line, template in zip(lines, templates, strict=True):
        groups[template.text].add(line)
    return dict(groups)


def partition(lines: list[str]) -> set[frozenset[str]]:
    """The grouping as a set of sets of lines: what must not depend on the order."""
    return {frozenset(group) for group in by_template(lines).values()}


# -- short templates --------------------------------------------------------------------------


def test_short_templates_never_merge_on_one_word() -> None:
    states = ["VM Started", "VM Paused", "VM Resumed", "VM Stopped"]
    lines = [state for state in states for _ in range(5)]
    random.Random(1).shuffle(lines)
    groups = by_template(lines)
    assert set(groups) == set(states)
    assert all(groups[state] == {state} for state in states)


def test_short_sshd_templates_with_addresses_stay_apart() -> None:
    lines = [f"Connection closed by {ip}" for ip in IPS] + [
        f"Connection reset by {ip}" for ip in IPS[:3]
    ]
    lines += [f"Connection closed by {ip} port {40000 + i} [preauth]" for i, ip in enumerate(IPS)]
    lines += [f"Connection reset by {ip} port {50000 + i} [preauth]" for i, ip in enumerate(IPS)]
    random.Random(2).shuffle(lines)
    assert set(by_template(lines)) == {
        "Connection closed by <*>",
        "Connection reset by <*>",
        "Connection closed by <*> port <*> [preauth]",
        "Connection reset by <*> port <*> [preauth]",
    }


def test_short_templates_inside_context_never_merge() -> None:
    rng = random.Random(3)
    states = ["Started", "Paused", "Resumed", "Stopped"]
    lines = []
    for _ in range(24):
        instance = random_uuid(rng)
        lines.append(f"[instance: {instance}] VM {rng.choice(states)} (Lifecycle Event)")
    assert len(by_template(lines)) == 4


# -- variables of several tokens ----------------------------------------------------------------

INVALID_USERS = [
    "Invalid user admin from 192.0.2.44 port 40122",
    "Invalid user oracle from 203.0.113.9 port 51234",
    "Invalid user test from 198.51.100.7 port 2222",
    "Invalid user John Smith from 192.0.2.45 port 40133",
    "Invalid user ubnt from 192.0.2.46 port 40134",
    "Invalid user pi from 172.16.8.201 port 33012",
]


@pytest.mark.parametrize("seed", range(6))
def test_variables_of_different_token_counts_join(seed: int) -> None:
    lines = INVALID_USERS[:]
    random.Random(seed).shuffle(lines)
    _, templates = mine(lines)
    assert {t.text for t in templates} == {"Invalid user <*> from <*> port <*>"}
    (template,) = set(templates)
    assert template.count == len(lines)
    assert template.parameters("Invalid user John Smith from 192.0.2.45 port 40133") == [
        "John Smith",
        "192.0.2.45",
        "40133",
    ]


# -- masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        # ids: UUIDs, hex request ids, commit hashes, 0x pointers, numbered names
        (
            "Could not lock cart 6a02b274-5ca9-4688-9c4f-2dccd82efe7d for checkout "
            "(requestId=f33f8ebfbceb345898e42c71662fb255)",
            "Could not lock cart <*> for checkout (requestId=<*>)",
        ),
        ("Commit 9f1c2ab deployed by deploy", "Commit <*> deployed by deploy"),
        ("Ptr 0x7ffd5a3c2b10 freed twice", "Ptr <*> freed twice"),
        (
            "Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: "
            "/10.250.19.102:50010",
            "Receiving block blk_<*> src: /<*> dest: /<*>",
        ),
        # addresses: IPv4 with and without a port, host names with a port, MAC, e-mail, URL
        (
            "Accepted publickey for deploy from 203.0.113.7 port 51234 ssh2",
            "Accepted publickey for deploy from <*> port <*> ssh2",
        ),
        (
            "Lock acquired on cart:1038f0b5-e998-40ee-b4dd-f9b9c28ee907 by 10.42.3.17:39349",
            "Lock acquired on cart:<*> by <*>",
        ),
        (
            "redis at redis-master.shop.svc.cluster.local:6379 is down",
            "redis at <*> is down",
        ),
        ("eth0: link up, mac 00:1a:2b:3c:4d:5e", "eth0: link up, mac <*>"),
        (
            "Sent receipt to jane.doe+orders@example.com for order 8812",
            "Sent receipt to <*> for order <*>",
        ),
        (
            "GET https://api.stripe.com/v1/charges?limit=3 answered 503 after 1.5s",
            "GET <*> answered <*> after <*>",
        ),
        # durations, with or without a space before the unit, and sizes
        (
            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "HikariPool-<*> - Connection is not available, request timed out after <*>.",
        ),
        (
            "Cart 1038f0b5-e998-40ee-b4dd-f9b9c28ee907 loaded in 12 ms",
            "Cart <*> loaded in <*>",
        ),
        (
            "Started CheckoutApplication in 6.207 seconds (process running for 6.94)",
            "Started CheckoutApplication in <*> (process running for <*>)",
        ),
        ("Retrying in 2.5s (attempt 3/5)", "Retrying in <*> (attempt <*>)"),
        ("disk usage at 93% on /dev/sda1", "disk usage at <*> on /dev/sda1"),
        # times and dates written inside messages
        (
            "Commit 9f1c2ab deployed at 2026-11-28T14:02:03.118Z by deploy",
            "Commit <*> deployed at <*> by deploy",
        ),
        ("Job took 00:01:23.456 to finish", "Job took <*> to finish"),
        # a quantity in bytes, with the unit apart (Spark)
        (
            "Block rdd_42_3 stored as bytes in memory (estimated size 93.0 B, free 317.1 KB)",
            "Block rdd_<*> stored as bytes in memory (estimated size <*>, free <*>)",
        ),
        # lists are one variable, whatever their length: ids, numbered names, numbers
        (
            "BLOCK* ask 10.250.17.177:50010 to delete  blk_-8570780307468499817 "
            "blk_-9122557405432088649 blk_-4393063808227796056",
            "BLOCK* ask <*> to delete blk_<*>",
        ),
        (
            "Warning: we failed to resolve data source name dadmin2 dadmin3 dadmin4",
            "Warning: we failed to resolve data source name dadmin<*>",
        ),
        (
            "en0: Supported channels 1 2 3 4 5 6 7 8 9 10 11 12 13 36 40 44 48",
            "en0: Supported channels <*>",
        ),
        # a URL ends before the punctuation of the sentence around it
        (
            "Retrying https://api.stripe.com/v1/charges: connection reset by peer",
            "Retrying <*>: connection reset by peer",
        ),
        # nothing variable: unchanged, class names and words kept
        (
            "OOM command not allowed when used memory > 'maxmemory'.",
            "OOM command not allowed when used memory > 'maxmemory'.",
        ),
        (
            "Caused by: io.lettuce.core.RedisCommandTimeoutException: Command timed out",
            "Caused by: io.lettuce.core.RedisCommandTimeoutException: Command timed out",
        ),
    ],
)
def test_mask_realistic_lines(line: str, masked: str) -> None:
    assert mask(line) == masked


def test_mask_compressed_ipv6() -> None:
    assert mask("Connected to 2001:db8::1 via fe80::1ff:fe23:4567:890a") == (
        "Connected to <*> via <*>"
    )


def test_masked_variables_never_split_an_event() -> None:
    rng = random.Random(4)
    lines = []
    for _ in range(30):
        cart = random_uuid(rng)
        request = f"{rng.getrandbits(128):032x}"
        lines.append(
            f"Cart {cart} loaded in {rng.randint(1, 900)} ms from 10.42.{rng.randint(0, 9)}."
            f"{rng.randint(1, 254)}:{rng.randint(1024, 65535)} (requestId={request})"
        )
    assert set(by_template(lines)) == {"Cart <*> loaded in <*> from <*> (requestId=<*>)"}


# -- distinct failures --------------------------------------------------------------------------

FAILURE_PAIRS = [
    (
        "OOM command not allowed when used memory > 'maxmemory'.",
        "Command timed out after {n} second(s)",
    ),
    (
        "dial tcp {ip}:6379: connect: connection refused",
        "dial tcp {ip}:6379: i/o timeout",
    ),
    (
        "dial tcp {ip}:6379: connect: connection refused",
        "dial tcp {ip}:6379: connect: connection reset by peer",
    ),
    (
        "upstream timed out (110: Connection timed out) while reading response header from "
        "upstream, client: {ip}, server: shop.example.com",
        "connect() failed (111: Connection refused) while connecting to upstream, client: {ip}, "
        "server: shop.example.com",
    ),
    (
        "Lock wait timeout exceeded; try restarting transaction",
        "Deadlock found when trying to get lock; try restarting transaction",
    ),
    (
        "Can't save in background: fork: Cannot allocate memory",
        "Background saving terminated by signal {n}",
    ),
    (
        "Failed to connect to {ip}:5432: Connection refused",
        "Failed to connect to {ip}:5432: Connection timed out",
    ),
    ("Order {n} could not be saved: deadlock detected", "Order {n} could not be saved: disk full"),
    ("Connection refused (os error 111)", "Connection reset (os error 104)"),
    (
        "canceling statement due to statement timeout",
        "canceling statement due to user request",
    ),
]


@pytest.mark.parametrize(("first", "second"), FAILURE_PAIRS)
def test_two_distinct_failures_never_merge(first: str, second: str) -> None:
    rng = random.Random(5)
    kinds = [rng.choice((first, second)) for _ in range(40)]
    lines = [kind.format(n=rng.randint(1, 99999), ip=rng.choice(IPS)) for kind in kinds]
    _, templates = mine(lines)
    kinds_of: dict[str, set[str]] = defaultdict(set)
    for kind, template in zip(kinds, templates, strict=True):
        kinds_of[template.text].add(kind)
    assert len(kinds_of) == 2, kinds_of
    assert all(len(members) == 1 for members in kinds_of.values()), kinds_of


def test_failures_named_by_error_codes_never_merge() -> None:
    line = (
        "[Producer clientId=checkout-producer] Got error produce response with correlation id "
        "{n} on topic-partition orders-0, retrying (2147483646 attempts left). Error: {code}"
    )
    lines = [
        line.format(n=4821 + i, code=code)
        for i, code in enumerate(["NOT_ENOUGH_REPLICAS", "REQUEST_TIMED_OUT"] * 3)
    ]
    assert len(by_template(lines)) == 2


# -- what differs between values ------------------------------------------------------------------


def templates_of(lines: list[str], seed: int = 0) -> dict[str, str]:
    """Each distinct line's final template text, the lines mined in a shuffled order."""
    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    _, templates = mine(shuffled)
    return {line: template.text for line, template in zip(shuffled, templates, strict=True)}


ANDROID_CLIPPING = [
    f"updateClipping isOverlap:{flag}, getTopPadding=333.0, Translation={y}.0"
    for flag in ("false", "true")
    for y in (-24, -529, -300, -12, -97)
]


def test_flags_never_become_variables() -> None:
    found = templates_of(ANDROID_CLIPPING)
    assert set(found.values()) == {
        "updateClipping isOverlap:false, getTopPadding=<*>, Translation=<*>",
        "updateClipping isOverlap:true, getTopPadding=<*>, Translation=<*>",
    }


LINUX_AUTH = (
    "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost={host}  user={user}"
)
PAM_SESSION = "session opened for user {user} by (uid={uid})"


@pytest.mark.parametrize("seed", range(4))
def test_a_keys_words_are_settings_and_sentence_words_are_values(seed: int) -> None:
    lines = [
        LINUX_AUTH.format(host=host, user=user)
        for user in ("root", "guest", "test")
        for host in ("218.188.2.4", "211.46.224.253", "massive.merukuru.org", "61.53.154.93")
    ]
    lines += [
        PAM_SESSION.format(user=user, uid=uid)
        for user in ("cyrus", "news", "test")
        for uid in (0, 509)
    ]
    found = templates_of(lines, seed)
    assert sorted(set(found.values())) == [
        "authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*> "
        "user=guest",
        "authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*> user=root",
        "authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*> user=test",
        "session opened for user <*> by (uid=<*>)",
    ]


RECENT_TASKS = [
    "getRecentTasks: num=20,flags=62,totalTasks=46",
    "getRecentTasks: topActivity=ComponentInfo{com.tencent.mobileqq/com.tencent.mobileqq"
    ".activity.SplashActivity}",
    "getRecentTasks: topActivity=ComponentInfo{com.example.android.notepad/com.example.android"
    ".notepad.NoteEditor}",
    "getRecentTasks: topActivity=ComponentInfo{com.tencent.mm/com.tencent.mm.ui.LauncherUI}",
]


@pytest.mark.parametrize("seed", range(6))
def test_values_under_different_keys_are_different_events(seed: int) -> None:
    found = templates_of(RECENT_TASKS, seed)
    assert set(found.values()) == {
        "getRecentTasks: num=<*>,flags=<*>,totalTasks=<*>",
        "getRecentTasks: topActivity=ComponentInfo{<*>}",
    }
    # the variable takes the value, not the key: another key is not taken in
    miner, _ = mine(RECENT_TASKS)
    assert miner.add("getRecentTasks: lastActivity=ComponentInfo{com.tencent.mm}").text == (
        "getRecentTasks: lastActivity=ComponentInfo{com.tencent.mm}"
    )


WAKE_LOCKS = [
    'acquire lock=166121161, flags=0x1, tag="RILJ_ACK_WL", name=com.android.phone, ws=null, '
    "uid=1001, pid=2626",
    'acquire lock=189667585, flags=0x1, tag="*launch*", name=android, ws=WorkSource{10113}, '
    "uid=1000, pid=1702",
    'acquire lock=219829192, flags=0x1, tag="AudioMix", name=audioserver, ws=null, uid=1041, pid=0',
    'acquire lock=233570404, flags=0x1, tag="View Lock", name=com.android.systemui, ws=null, '
    "uid=10037, pid=2227",
]


@pytest.mark.parametrize("seed", range(6))
def test_fields_that_change_together_are_one_event(seed: int) -> None:
    found = templates_of(WAKE_LOCKS, seed)
    assert set(found.values()) == {
        'acquire lock=<*>, flags=<*>, tag="<*>", name=<*>, ws=<*>, uid=<*>, pid=<*>'
    }


def test_codes_and_device_names_are_states_numbered_names_vary() -> None:
    intents = [
        f"processHandleBroadcastAction action:android.intent.action.{action}"
        for action in ("TIME_TICK", "SCREEN_ON", "SCREEN_OFF")
    ]
    interfaces = [
        f"NIFF: node node-{node} has detected an available network connection on network "
        f"10.{node}.0.0 via interface {interface}"
        for interface in ("ee0", "alt0", "scip0")
        for node in (129, 148)
    ]
    links = [
        f"e1000: {interface}: e1000_watchdog_task: NIC Link is Up 1000 Mbps Full Duplex"
        for interface in ("eth0", "eth1")
    ]
    found = templates_of(intents + interfaces + links)
    assert len({found[line] for line in intents}) == 3
    assert len({found[line] for line in interfaces}) == 3
    assert {found[line] for line in links} == {
        "e<*>: <*>: e<*>_watchdog_task: NIC Link is Up <*> Mbps Full Duplex"
    }


def test_quoted_names_are_values() -> None:
    lines = [f'FATAL:  database "{name}" does not exist' for name in ("users", "user", "users")]
    assert set(templates_of(lines).values()) == {'FATAL: database "<*>" does not exist'}


NEW_RULES = [*ANDROID_CLIPPING, *RECENT_TASKS, *WAKE_LOCKS]


def test_grouping_by_what_differs_does_not_depend_on_the_order() -> None:
    expected = partition(NEW_RULES)
    assert len(expected) == 5
    for seed in range(30):
        shuffled = NEW_RULES[:]
        random.Random(seed).shuffle(shuffled)
        assert partition(shuffled) == expected, seed


# -- parameters ---------------------------------------------------------------------------------


def test_parameters_are_read_back_from_the_raw_message() -> None:
    lines = [
        "Could not lock cart 6a02b274-5ca9-4688-9c4f-2dccd82efe7d for checkout "
        "(requestId=f33f8ebfbceb345898e42c71662fb255)",
        "Could not lock cart d77b26d3-3c71-4896-979a-95aa42a78500 for checkout "
        "(requestId=7dd244ddd2172bd4498daf6e8c59fd70)",
    ]
    _, (template, other) = mine(lines)
    assert template is other
    assert template.text == "Could not lock cart <*> for checkout (requestId=<*>)"
    assert template.parameters(lines[1]) == [
        "d77b26d3-3c71-4896-979a-95aa42a78500",
        "7dd244ddd2172bd4498daf6e8c59fd70",
    ]
    assert template.parameters("Could not lock order 5 for checkout (requestId=1)") is None


PAYMENTS = "2026-11-28 14:{minute:02d}:{second:02d},{ms:03d} - payments.webhooks - ERROR - {text}"
WEBHOOK = (
    "Could not record webhook {event} (OutOfMemoryError: OOM command not allowed when used "
    "memory > 'maxmemory'.); returning 503 so the PSP retries"
)


def test_error_group_parameters_count_values_per_position(tmp_path: Path) -> None:
    # the PSP redelivers: evt_A three times, evt_B twice, evt_C once
    events = ["evt_3QSgiOX7VJubt9TOeel47P5W"] * 3 + ["evt_3QRZsjSDKUyc7dg9LEgm49g7"] * 2
    events.append("evt_3QR76UAjg6uqeQkQhoIOZnFA")
    lines = [
        PAYMENTS.format(minute=2 + i, second=5, ms=931, text=WEBHOOK.format(event=event))
        for i, event in enumerate(events)
    ]
    (tmp_path / "payment-service.log").write_text("\n".join(lines) + "\n")
    (group,) = ErrorGrouper().add_all(parse_paths([str(tmp_path)])).groups()
    assert group.count == 6
    assert group.template == (
        "Could not record webhook <*> (OutOfMemoryError: OOM command not allowed when used "
        "memory > 'maxmemory'.); returning <*> so the PSP retries"
    )
    event, status = group.parameters
    assert (event.position, event.distinct) == (0, 3)
    assert event.top == [
        ("evt_3QSgiOX7VJubt9TOeel47P5W", 3),
        ("evt_3QRZsjSDKUyc7dg9LEgm49g7", 2),
        ("evt_3QR76UAjg6uqeQkQhoIOZnFA", 1),
    ]
    assert (status.position, status.distinct, status.top) == (1, 1, [("503", 6)])


# -- stable ids ---------------------------------------------------------------------------------


def test_template_id_is_a_hash_of_the_template_text() -> None:
    lines = INVALID_USERS + [f"Connection closed by {ip} port 22 [preauth]" for ip in IPS]
    ids: dict[str, set[str]] = defaultdict(set)
    for seed in range(5):
        shuffled = lines[:]
        random.Random(seed).shuffle(shuffled)
        miner, _ = mine(shuffled)
        for template in miner.templates():
            ids[template.text].add(template.id)
    assert set(ids) == {
        "Invalid user <*> from <*> port <*>",
        "Connection closed by <*> port <*> [preauth]",
    }
    for text, seen in ids.items():
        expected = hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
        assert seen == {expected}
        assert Template(text.split()).id == expected
    assert ids["Invalid user <*> from <*> port <*>"] == {"42c58b2fc9c8"}


def test_literal_and_mined_templates_of_the_same_text_share_the_id() -> None:
    miner = TemplateMiner()
    literal = miner.add_literal("POST /api/checkout 503")
    assert literal.id == hashlib.blake2b(b"POST /api/checkout 503", digest_size=6).hexdigest()
    assert TemplateMiner().add_literal("POST /api/checkout 503").id == literal.id
    assert miner.add_literal("POST /api/checkout 502").id != literal.id


# -- order independence -------------------------------------------------------------------------

MIXED = [
    *INVALID_USERS,
    *[f"Connection closed by {ip} port {22000 + i} [preauth]" for i, ip in enumerate(IPS)],
    *[f"Connection reset by {ip} port {33000 + i} [preauth]" for i, ip in enumerate(IPS)],
    *[f"Failed password for root from {ip} port {41000 + i} ssh2" for i, ip in enumerate(IPS)],
    *[f"Accepted publickey for deploy from {ip} port {51000 + i} ssh2" for i, ip in enumerate(IPS)],
    "VM Started",
    "VM Paused",
    "VM Resumed",
    "VM Stopped",
    "Can't save in background: fork: Cannot allocate memory",
    "Background saving started by pid 1937",
    "Background saving started by pid 2214",
    "Background saving terminated with success",
    "Background saving terminated by signal 9",
    "100 changes in 300 seconds. Saving...",
    "10000 changes in 60 seconds. Saving...",
    "OOM command not allowed when used memory > 'maxmemory'.",
    "Command timed out after 2 second(s)",
    "Command timed out after 5 second(s)",
]


def test_final_grouping_does_not_depend_on_the_order() -> None:
    expected = partition(MIXED)
    assert len(expected) == 16
    for seed in range(40):
        shuffled = MIXED[:]
        random.Random(seed).shuffle(shuffled)
        assert partition(shuffled) == expected, seed


# -- Loghub 2k: grouping accuracy ---------------------------------------------------------------

LOGHUB_DATASETS = (
    "Android",
    "Apache",
    "BGL",
    "HDFS",
    "HPC",
    "Hadoop",
    "HealthApp",
    "Linux",
    "Mac",
    "OpenSSH",
    "OpenStack",
    "Proxifier",
    "Spark",
    "Thunderbird",
    "Windows",
    "Zookeeper",
)


def grouping_accuracy(predicted: list[str], truth: list[str]) -> float:
    """GA: a line counts when its predicted group holds exactly the lines of its true group."""
    predicted_groups: dict[str, set[int]] = defaultdict(set)
    true_groups: dict[str, set[int]] = defaultdict(set)
    for index, (mine_, theirs) in enumerate(zip(predicted, truth, strict=True)):
        predicted_groups[mine_].add(index)
        true_groups[theirs].add(index)
    correct = sum(
        1
        for mine_, theirs in zip(predicted, truth, strict=True)
        if predicted_groups[mine_] == true_groups[theirs]
    )
    return correct / len(truth)


def test_grouping_accuracy_helper() -> None:
    assert grouping_accuracy(["a", "a", "b"], ["x", "x", "y"]) == 1.0
    assert grouping_accuracy(["a", "a", "a"], ["x", "x", "y"]) == 0.0  # over-merged
    assert grouping_accuracy(["a", "b", "c"], ["x", "x", "y"]) == pytest.approx(1 / 3)


def dataset_accuracy(root: Path, name: str) -> float:
    """GA of the template ids `parse --jsonl` writes for the raw log, format detection on."""
    folder = root / name
    rows = templated_records(open_paths([str(folder / f"{name}_2k.log")])).rows
    predicted = [template.id for _, template, _ in rows]
    with open(folder / f"{name}_2k.log_structured.csv", encoding="utf-8", newline="") as handle:
        truth = [row["EventId"] for row in csv.DictReader(handle)]
    assert len(predicted) == len(truth) == 2000
    return grouping_accuracy(predicted, truth)


def test_loghub_grouping_accuracy(loghub_dir: Path) -> None:
    scores = {name: dataset_accuracy(loghub_dir, name) for name in LOGHUB_DATASETS}
    low = {name: round(score, 4) for name, score in scores.items() if score < 0.95}
    assert not low, low
    mean = sum(scores.values()) / len(scores)
    assert mean >= 0.985, scores
