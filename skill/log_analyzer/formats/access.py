"""Request logs that state no level of their own: the HTTP status gives it (5xx error, 4xx
warning, any other status info). Load balancers' and proxies' (AWS ELB and ALB, Envoy and
Istio), Amazon S3's, and the request lines of application servers (Gin, uWSGI). nginx's and
Apache's are in `system.py`, HAProxy's too; W3C's and Zeek's in `columns.py`."""

from __future__ import annotations

from ..timestamps import stamp
from .base import RegexFormat, Sample

_ELB_STAMP = stamp(r"%Y-%m-%dT%H:%M:%S(?:\.%f)?%z")

AWS_ELB = RegexFormat(
    "aws-elb",
    # ALB lines start with the request type; Classic ELB lines with the time. The message is
    # the client onward: the client, the target, the timings, the request, the agent.
    r"^(?:(?P<type>https?|h2|grpcs?|wss?) )?" + _ELB_STAMP + r" (?P<elb>\S+) "
    r"(?P<message>(?P<client>[\da-fA-F.:\[\]]+):\d+ (?P<target>\S+) "
    r"-?[\d.]+ -?[\d.]+ -?[\d.]+ (?P<status>\d{3}|-) (?:\d{3}|-) \d+ \d+ "
    r'"(?P<request>[^"]*)".*)$',
    title="AWS Elastic Load Balancing access log (Classic ELB and ALB)",
    priority=80,
    samples=(
        Sample(
            "2026-11-28T14:02:03.118442Z shop-elb 203.0.113.7:51234 10.0.3.12:8080 0.000041 "
            '5.002119 0.000021 504 - 412 0 "POST https://shop.example.com:443/api/checkout '
            'HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2',
            level="error",
            timestamp="2026-11-28T14:02:03.118442+00:00",
        ),
        Sample(
            "https 2026-11-28T14:02:04.220931Z app/shop-alb/50dc6c495c0c9188 203.0.113.7:51240 "
            '10.0.3.14:8080 0.000 0.012 0.000 200 200 181 2340 "GET https://shop.example.com:'
            '443/cart HTTP/1.1" "curl/8.4.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:'
            "elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067 "
            '"Root=1-67891233-abcdef012345678912345678" "shop.example.com" "-" 0 '
            '2026-11-28T14:02:04.208000Z "forward" "-" "-" "10.0.3.14:8080" "200" "-" "-"',
            level="info",
        ),
    ),
)

GIN = RegexFormat(
    "gin",
    rf"^\[GIN\] {stamp(r'%Y/%m/%d - %H:%M:%S')} \| (?P<status>\d{{3}}) \|\s*"
    r"(?P<latency>[^|]*?)\s*\|\s*(?P<client>[^|\s]*)\s*\| (?P<message>.*)$",
    title="Gin (Go) request log",
    priority=80,
    samples=(
        Sample(
            '[GIN] 2026/11/28 - 14:02:03 | 503 |  5.002119312s |     203.0.113.7 | POST     "/api/'
            'checkout"',
            level="error",
            message='POST     "/api/checkout"',
            timestamp="2026-11-28T14:02:03+00:00",
        ),
        Sample(
            "[GIN] 2026/11/28 - 14:02:04 | 404 |      41.2µs |     203.0.113.7 | GET      "
            '"/favicon.ico"',
            level="warning",
        ),
    ),
)

UWSGI = RegexFormat(
    "uwsgi",
    r"^\[pid: (?P<pid>\d+)\|app: (?P<app>[^|\]]*)\|req: (?P<req>[^\]]*)\] (?P<client>\S+) "
    r"\((?P<user>[^)]*)\) \{[^}]*\} "
    rf"\[{stamp(r'%a %b %e %H:%M:%S %Y')}\] "
    r"(?P<message>(?P<method>[A-Z]+) (?P<uri>\S+) => generated .*?"
    r"\([^)\s]+ (?P<status>\d{3})\).*)$",
    title="uWSGI request log",
    priority=80,
    samples=(
        Sample(
            "[pid: 812|app: 0|req: 41/97] 203.0.113.7 () {44 vars in 812 bytes} [Sat Nov 28 "
            "14:02:03 2026] POST /api/checkout => generated 153 bytes in 5012 msecs (HTTP/1.1 "
            "502) 4 headers in 141 bytes (1 switches on core 0)",
            level="error",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

ENVOY = RegexFormat(
    "envoy",
    # Envoy's (and Istio's) default access log format
    rf"^\[{_ELB_STAMP}\] "
    r'(?P<message>"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<flags>\S+) \d+ \d+ \d+ .*)$',
    title="Envoy / Istio access log (default format)",
    priority=80,
    samples=(
        Sample(
            '[2026-11-28T14:02:03.118Z] "POST /api/checkout HTTP/1.1" 503 UF 412 91 5002 - "-" '
            '"curl/8.4.0" "1f2e3d4c-5b6a-4789-8abc-def012345678" "shop.example.com" '
            '"10.0.3.12:8080"',
            level="error",
            timestamp="2026-11-28T14:02:03.118000+00:00",
        ),
    ),
)

AWS_S3 = RegexFormat(
    "aws-s3",
    r"^(?P<owner>[0-9a-f]{64}|-) (?P<bucket>\S+) "
    rf"\[{stamp(r'%d/%b/%Y:%H:%M:%S %z')}\] "
    r"(?P<message>(?P<client>\S+) (?P<requester>\S+) (?P<request_id>[0-9A-Z]+) "
    r'(?P<operation>\S+) (?P<key>\S+) "(?P<request>[^"]*)" (?P<status>\d{3}|-) .*)$',
    title="Amazon S3 server access log",
    priority=80,
    samples=(
        Sample(
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be shop-assets "
            "[28/Nov/2026:14:02:03 +0000] 203.0.113.7 - 3E57427F3EXAMPLE REST.GET.OBJECT "
            'img/logo.png "GET /shop-assets/img/logo.png HTTP/1.1" 403 AccessDenied 243 - 12 - '
            '"-" "Mozilla/5.0 (X11; Linux x86_64)" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6Uk= '
            "SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader shop-assets.s3.eu-west-1.amazonaws.com "
            "TLSv1.2",
            level="warning",
            timestamp="2026-11-28T14:02:03+00:00",
        ),
    ),
)

FORMATS: tuple[RegexFormat, ...] = (AWS_ELB, AWS_S3, ENVOY, GIN, UWSGI)
