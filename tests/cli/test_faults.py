"""Fault injection: a local server that throttles, fails, cuts, stalls and lies; nothing is lost."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from tap_restspec.errors import StreamError
from tests.helpers import Reply, Server, run_cli, source_spec, write_spec

ITEMS = [{"id": i} for i in range(6)]
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
PAGINATION = {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}
FAST = {"max_retry_wait": 5}


class Faulty:
    """Pages of ITEMS; `faults` maps a request number (1-based) to the bad reply given instead."""

    def __init__(self, faults: dict[int, Reply]) -> None:
        self.faults = faults
        self.count = 0
        self.times: list[float] = []

    def __call__(self, seen):
        self.count += 1
        self.times.append(time.monotonic())
        if self.count in self.faults:
            return self.faults[self.count]
        offset = int(seen.q("offset"))
        return Reply(body={"items": ITEMS[offset : offset + 2]})


def document_for(url, **extra):
    return source_spec(url, pagination=PAGINATION, schema=SCHEMA, **extra)


def spec_for(tmp_path, url, **extra):
    return write_spec(tmp_path, "items.json", document_for(url, **extra))


def http_date(seconds: float) -> str:
    return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds), usegmt=True)


RECOVERED = [
    pytest.param({2: Reply(status=429, headers={"Retry-After": "1"})}, 1.0, id="429-retry-after-seconds"),
    pytest.param(
        {2: Reply(status=429, headers={"Retry-After": http_date(2)})}, 0.5, id="429-retry-after-date"
    ),
    pytest.param(
        {2: Reply(status=429, body={"message": "Rate limit exceeded", "msBeforeNext": 1200})},
        1.1,
        id="429-segment-msBeforeNext",
    ),
    pytest.param(
        {2: Reply(status=503, body={"error": "unavailable"}), 3: Reply(status=502)}, 0.0, id="503-then-502"
    ),
    pytest.param({2: Reply(status=500, raw=b"<html>oops</html>")}, 0.0, id="500-html"),
    pytest.param({2: Reply(body={"items": ITEMS[2:4]}, cut=True)}, 0.0, id="body-cut-mid-way"),
    pytest.param({2: Reply(drop=True)}, 0.0, id="connection-dropped"),
    pytest.param({2: Reply(body={"items": ITEMS[2:4]}, delay=1.5)}, 0.0, id="slow-response-timeout"),
]


@pytest.mark.parametrize(("faults", "min_wait"), RECOVERED)
def test_transient_faults_are_retried_and_no_record_is_lost(serve, run_spec, faults, min_wait):
    api = Faulty(faults)
    server = serve(api)
    run = run_spec(document_for(server.url), request_timeout=0.5, **FAST)
    assert run.records() == ITEMS
    offsets = [s.q("offset") for s in server.seen]
    assert offsets == ["0", *["2"] * (len(faults) + 1), "4", "6"]
    assert api.times[2] - api.times[1] >= min_wait


def test_retries_are_bounded_by_max_retries_and_fail_with_one_clear_line(serve, run_spec):
    api = Faulty({n: Reply(status=503, body={"error": "down for maintenance"}) for n in range(2, 20)})
    server = serve(api)
    result = run_spec.cli(document_for(server.url), max_retries=2, **FAST)
    assert result.code == 1
    assert len(server.seen) == 1 + 3  # page 1, then page 2 tried three times
    assert "stream items: gave up after 3 tries: HTTP 503" in result.stderr
    assert "down for maintenance" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.records()) == 2  # page 1 was delivered; the bookmark did not move


def test_retry_after_longer_than_max_retry_wait_fails_clearly(serve, run_spec):
    api = Faulty({2: Reply(status=429, headers={"Retry-After": "3600"})})
    server = serve(api)
    _run, error = run_spec.partial(document_for(server.url), **FAST)
    assert isinstance(error, StreamError)
    assert "asks to wait 3600s" in str(error)
    assert len(server.seen) == 2


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(
            Reply(status=404, body={"detail": "The requested resource could not be found."}),
            "HTTP 404 Not Found from GET",
            id="404",
        ),
        pytest.param(
            Reply(status=403, body={"error": "Forbidden", "description": "x" * 1000}),
            "HTTP 403 Forbidden",
            id="403-long-message-trimmed",
        ),
        pytest.param(
            Reply(status=400, raw=b"bad request: offset must be >= 0"),
            "bad request: offset must be >= 0",
            id="400-text",
        ),
    ],
)
def test_other_4xx_are_fatal_at_once(serve, run_spec, reply, message):
    api = Faulty({2: reply})
    server = serve(api)
    result = run_spec.cli(document_for(server.url), **FAST)
    assert result.code == 1
    assert len(server.seen) == 2  # no retry
    line = next(line for line in result.stderr.splitlines() if line.startswith("stream items: HTTP"))
    assert message in line and f"{server.url}/items?limit=2&offset=2" in line
    assert len(line) < 500
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(Reply(raw=b"<html>maintenance</html>"), "is not valid JSON", id="not-json"),
        pytest.param(
            Reply(body={"items": 42, "meta": {}}),
            "contentPath '$.items' matched a number, not an array or object of records",
            id="path-matches-a-number",
        ),
    ],
)
def test_a_bad_body_is_an_error_naming_the_stream(serve, run_spec, reply, message):
    api = Faulty({2: reply})
    server = serve(api)
    result = run_spec.cli(document_for(server.url), **FAST)
    assert result.code == 1
    assert "stream items: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_never_reach_logs_errors_or_state(tmp_path):
    secrets = {
        "api_key": "sk_live_ABCDEF123456",
        "password": "hunter2-password",
        "access_token": "tok-998877665544",
    }

    def api(seen):
        if seen.q("offset") == "2":
            return Reply(status=401, body={"error": f"bad token {secrets['access_token']}"})
        return Reply(body={"items": ITEMS[:2]})

    with Server(api) as server:
        spec = spec_for(
            tmp_path,
            server.url,
            queryParams={"api_key": "${api_key}", "token": "${access_token}"},
            headerParams={"Authorization": "Bearer ${access_token}", "X-Pass": "${password}"},
        )
        result = run_cli(
            tmp_path, {"specs": [spec], "username": "me", **secrets, **FAST}, env={"LOGLEVEL": "DEBUG"}
        )
    assert result.code == 1
    assert server.seen[0].q("api_key") == secrets["api_key"]  # the API did get them
    everything = result.stdout + result.stderr
    for value in secrets.values():
        assert value not in everything
    assert "***" in result.stderr


def test_an_unreachable_host_fails_with_the_cause_after_the_retries(tmp_path):
    spec = spec_for(tmp_path, "http://127.0.0.1:9")  # nothing listens on the discard port
    result = run_cli(tmp_path, {"specs": [spec], "max_retries": 1, "max_retry_wait": 1})
    assert result.code == 1
    assert (
        "stream items: gave up after 2 tries: ConnectionError calling http://127.0.0.1:9/items"
        in result.stderr
    )
    assert "(Connection refused)" in result.stderr
    assert "Traceback" not in result.stderr
