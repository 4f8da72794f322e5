"""Formats of the system logs collected by the Loghub benchmark (HDFS, Spark, ZooKeeper, BGL...).

Five of its sixteen logs are already read by general formats: Hadoop by `log4j`, Apache by
`apache-error`, Linux, Mac and OpenSSH by `syslog`. The formats here read the other eleven, and
the same layouts written by those systems elsewhere (OpenStack's oslo.log, a production format
with tracebacks of its own, lives in `oslo.py`). The samples are invented look-alikes: the
Loghub data itself must not be copied into the project.

BGL and Thunderbird lines carry both an epoch (UTC) and the machine's local time; the local
time is the stamp, as the line shows it (naive, so `--tz` applies).
"""

from __future__ import annotations

from ..timestamps import stamp
from .base import RegexFormat, Sample
from .oslo import OPENSTACK

# Level words of Java (log4j) and Python (oslo.log) loggers.
_LEVEL = r"(?P<level>TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|AUDIT)"

_HDFS_STAMP = stamp(r"%y%m%d %H%M%S")
_SPARK_STAMP = stamp(r"%y/%m/%d %H:%M:%S")
_ZOOKEEPER_STAMP = stamp(r"%Y-%m-%d %H:%M:%S(?:,%f)?")
_BGL_STAMP = stamp(r"%Y-%m-%d-%H\.%M\.%S(?:\.%f)?")
# Thunderbird: the year comes from the date field before the node name; the local time after it.
_THUNDERBIRD_STAMP = stamp(r"%Y\.\d\d\.\d\d (?P<node>\S+) %b %e %H:%M:%S")
_EPOCH_STAMP = stamp(r"%s")
_WINDOWS_STAMP = stamp(r"%Y-%m-%d %H:%M:%S")
# HealthApp: `20180304-7:5:9:56`. Hours, minutes, seconds and milliseconds are not padded (the
# groups are written out: no directive reads an unpadded minute or second); a fraction of fewer
# than three digits is milliseconds (56 ms, not .56 s), so only three-digit fractions are read.
_HEALTHAPP_STAMP = stamp(
    r"%Y%m%d-(?P<H>\d{1,2}):(?P<M>\d{1,2}):(?P<S>\d{1,2})(?::(?:(?=\d{3}(?!\d))%f|\d{1,2}))?"
)
_PROXIFIER_STAMP = stamp(r"(?:%Y\.)?%m\.%d %H:%M:%S")
_LOGCAT_STAMP = stamp(r"(?:%Y-)?%m-%d %H:%M:%S\.%f(?: %z)?")

HDFS = RegexFormat(
    "hdfs",
    rf"^{_HDFS_STAMP} (?P<pid>\d+) {_LEVEL} (?P<logger>[\w.$]+): (?P<message>.*)$",
    title="Hadoop HDFS daemon log, 0.x layout (yyMMdd HHmmss pid level class: message)",
    priority=70,
    samples=(
        Sample(
            "130412 091502 2231 INFO dfs.DataNode$DataXceiver: Receiving block "
            "blk_-1608999687919862906 src: /10.0.4.17:41236 dest: /10.0.4.17:50010",
            level="info",
            timestamp="2013-04-12T09:15:02+00:00",
            message="Receiving block blk_-1608999687919862906 src: /10.0.4.17:41236 "
            "dest: /10.0.4.17:50010",
        ),
        Sample(
            "130412 091502 19 WARN dfs.FSNamesystem: Not able to place enough replicas, "
            "still in need of 1",
            level="warning",
        ),
    ),
)

SPARK = RegexFormat(
    "spark",
    rf"^{_SPARK_STAMP} {_LEVEL} (?P<logger>[\w.$]+): (?P<message>.*)$",
    title="Apache Spark log4j default (yy/MM/dd HH:mm:ss level class: message)",
    priority=65,
    samples=(
        Sample(
            "19/02/14 08:30:12 INFO storage.BlockManager: Found block rdd_12_3 locally",
            level="info",
            message="Found block rdd_12_3 locally",
            timestamp="2019-02-14T08:30:12+00:00",
        ),
        Sample(
            "19/02/14 08:30:13 ERROR executor.Executor: Exception in task 3.0 in stage 7.0 "
            "(TID 88)",
            level="error",
        ),
    ),
)

ZOOKEEPER = RegexFormat(
    "zookeeper",
    rf"^{_ZOOKEEPER_STAMP} - {_LEVEL}\s+\[(?P<thread>.*):(?P<logger>[\w.$]+)@(?P<line>\d+)\] - "
    r"(?P<message>.*)$",
    title="Apache ZooKeeper log (%d - %-5p [%t:%C{1}@%L] - %m)",
    priority=70,
    samples=(
        Sample(
            "2018-03-02 11:20:45,118 - WARN  [RecvWorker:3:QuorumCnxManager$RecvWorker@780] - "
            "Connection broken for id 3, my id = 1, error =",
            level="warning",
            message="Connection broken for id 3, my id = 1, error =",
            timestamp="2018-03-02T11:20:45.118000+00:00",
        ),
        Sample(
            "2018-03-02 11:20:46,002 - INFO  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:"
            "NIOServerCnxnFactory@197] - Accepted socket connection from /10.1.2.3:52114",
            level="info",
            message="Accepted socket connection from /10.1.2.3:52114",
        ),
    ),
)

BGL = RegexFormat(
    "bgl",
    rf"^(?P<alert>\S+) \d{{9,10}} \d{{4}}\.\d\d\.\d\d (?P<node>\S+) {_BGL_STAMP} \S+ "
    r"(?P<type>\S+) (?P<service>[A-Z_]+) (?P<level>[A-Z]+)(?: (?P<message>.*))?$",
    title="Blue Gene/L RAS log (label epoch date node local-time node type component level)",
    priority=70,
    samples=(
        Sample(
            "- 1121001305 2005.07.10 R14-M0-N3-C:J08-U01 2005-07-10-06.15.05.118442 "
            "R14-M0-N3-C:J08-U01 RAS KERNEL INFO 31 double-hummer alignment exceptions",
            level="info",
            service="KERNEL",
            message="31 double-hummer alignment exceptions",
            timestamp="2005-07-10T06:15:05.118442+00:00",
        ),
        Sample(
            "KERNSOCK 1121001310 2005.07.10 R14-M0-N3-I:J18-U11 2005-07-10-06.15.10.002211 "
            "R14-M0-N3-I:J18-U11 RAS KERNEL FATAL ciod: failed to read message prefix on "
            "control stream",
            level="fatal",
        ),
    ),
)

THUNDERBIRD = RegexFormat(
    "thunderbird",
    rf"^(?P<alert>\S+) \d{{9,10}} {_THUNDERBIRD_STAMP} (?P<location>\S+) "
    r"(?:(?P<program>[^\s\[:(]+(?:\([^\s)]*\))?(?: [^\s\[:]+)?)(?:\[(?P<pid>\d+)\])?: ?)?"
    r"(?P<message>.*)$",
    title="Thunderbird supercomputer syslog (label epoch date node syslog-line)",
    service_group="program",
    priority=70,
    samples=(
        Sample(
            "- 1132012301 2005.11.14 cn117 Nov 14 15:51:41 cn117/cn117 ntpd[4242]: "
            "synchronized to 10.100.22.250, stratum 2",
            service="ntpd",
            message="synchronized to 10.100.22.250, stratum 2",
            timestamp="2005-11-14T15:51:41+00:00",
        ),
        Sample(
            "VAPI 1132012355 2005.11.14 tbird-sm2 Nov 14 15:52:35 src@tbird-sm2 ib_sm.x[3012]: "
            "[ib_sm_sweep.c:1831]: ERROR: Switch 0x0002c90109 port 7 is down",
            level="error",
            service="ib_sm.x",
        ),
    ),
)

HPC = RegexFormat(
    "hpc",
    rf"^(?P<log_id>\d+) (?P<node>\S+) (?P<service>\S+) (?P<state>\S+) {_EPOCH_STAMP} "
    r"(?P<flag>-?\d+)(?: (?P<message>.*))?$",
    title="Los Alamos HPC cluster event log (id node component state epoch flag message)",
    priority=55,
    samples=(
        Sample(
            "512077 node-88 node status 1099031215 1 not responding",
            service="node",
            message="not responding",
            timestamp="2004-10-29T06:26:55+00:00",
        ),
        Sample("88011 gige3 gige temperature 1099031290 1 warning", service="gige"),
    ),
)

WINDOWS_CBS = RegexFormat(
    "windows-cbs",
    rf"^{_WINDOWS_STAMP}, (?P<level>Info|Warning|Error|Perf)\s+(?P<component>\w+)\s+"
    r"(?P<message>.*)$",
    title="Windows component servicing log (CBS.log)",
    levels={"Perf": "debug"},
    priority=70,
    samples=(
        Sample(
            "2017-04-11 10:02:17, Info                  CBS    Exec: Processing started.  "
            "Client: WindowsUpdateAgent, Session: 30589241_1803317162",
            level="info",
            message="Exec: Processing started.  Client: WindowsUpdateAgent, Session: "
            "30589241_1803317162",
            timestamp="2017-04-11T10:02:17+00:00",
        ),
        Sample(
            "2017-04-11 10:02:19, Error                 CSI    00000031 (F) STATUS_SXS_"
            "ASSEMBLY_MISSING #1190212# from Windows::ServicingAPI",
            level="error",
        ),
    ),
)

HEALTHAPP = RegexFormat(
    "healthapp",
    rf"^{_HEALTHAPP_STAMP}\|(?P<component>[\w\-.$]*)\|(?P<pid>\d+)\|(?P<message>.*)$",
    title="Android health app log (yyyyMMdd-H:m:s:SSS|component|pid|message)",
    priority=65,
    samples=(
        Sample(
            "20180304-9:7:3:412|Step_DataCache|21009912|flush steps=1832 ok",
            message="flush steps=1832 ok",
            timestamp="2018-03-04T09:07:03.412000+00:00",
        ),
        Sample(
            "20180304-21:17:45:8|HiH_SyncWorker|21009912|sync failed: ERROR code 3",
            level="error",
            timestamp="2018-03-04T21:17:45+00:00",
        ),
    ),
)

PROXIFIER = RegexFormat(
    "proxifier",
    rf"^\[{_PROXIFIER_STAMP}\] (?P<program>[^\[\]]+?) - (?P<message>.*)$",
    title="Proxifier connection log ([MM.dd HH:mm:ss] program - message)",
    priority=60,
    samples=(
        Sample(
            "[2019.06.21 09:14:22] firefox.exe - push.example.net:443 open through proxy "
            "gw.example.net:3128 HTTPS",
            message="push.example.net:443 open through proxy gw.example.net:3128 HTTPS",
            timestamp="2019-06-21T09:14:22+00:00",
        ),
        Sample(
            "[06.21 09:14:25] Slack.exe *64 - cdn.example.org:443 error : Could not connect "
            "through proxy gw.example.net:3128 - Connection attempt failed with error 10061"
        ),
    ),
)

ANDROID_LOGCAT = RegexFormat(
    "android-logcat",
    # `-v threadtime` (`pid tid L tag: `) or `-v time` (`L/tag( pid): `), with or without the
    # `year`, `zone`, `usec` and `uid` modifiers
    rf"^{_LOGCAT_STAMP}\s+(?:"
    r"(?:(?P<uid>\w+)\s+)?(?P<pid>\d+)\s+(?P<tid>\d+) (?P<level>[VDIWEFA]) (?P<tag>[^:]*?)\s*: ?"
    r"|(?P<level2>[VDIWEFA])/(?P<tag2>[^(]*?)\s*\(\s*(?:(?P<uid2>\w+):\s*)?(?P<pid2>\d+)\): ?"
    r")(?P<message>.*)$",
    title="Android logcat (adb logcat -v threadtime, -v time; year, zone, usec, uid)",
    levels={
        "V": "debug",
        "D": "debug",
        "I": "info",
        "W": "warning",
        "E": "error",
        "F": "fatal",
        "A": "fatal",
    },
    priority=70,
    samples=(
        Sample(
            "06-02 21:44:10.318  1534  1901 W ActivityManager: Unable to start service "
            "Intent { act=com.example.SYNC } U=0: not found",
            level="warning",
            message="Unable to start service Intent { act=com.example.SYNC } U=0: not found",
        ),
        Sample(
            "06-02 21:44:11.002  2210  2210 D Example/Sync: onStart id=7",
            level="debug",
            message="onStart id=7",
        ),
        Sample(
            "2026-11-28 15:02:03.118442 +0100  1000  1534  1901 E ActivityManager: ANR in "
            "com.example.shop",
            level="error",
            message="ANR in com.example.shop",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
        Sample(
            "11-28 14:02:03.118 W/InputDispatcher(  812): channel 'shop' ~ Consumer closed",
            level="warning",
            message="channel 'shop' ~ Consumer closed",
        ),
    ),
)

FORMATS: tuple[RegexFormat, ...] = (
    HDFS,
    SPARK,
    ZOOKEEPER,
    OPENSTACK,
    BGL,
    THUNDERBIRD,
    HPC,
    WINDOWS_CBS,
    HEALTHAPP,
    PROXIFIER,
    ANDROID_LOGCAT,
)
