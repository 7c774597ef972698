"""The HTTP core the demo API shares with tests/helpers.Server (demo/core/): its request log,
faults, handler errors; and the time windows and parameter checks (demo/rest/checks.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from demo.core import ApiError, HttpServer, Reply, Request
from demo.rest.checks import Bound, in_window, int_param, time_param
from tests.demo.common import epoch


def echo(request: Request) -> Reply:
    if request.route == "/boom":
        raise RuntimeError("a bug in a handler")
    if request.route == "/teapot":
        raise ApiError(418, {"error": "short and stout"}, {"X-Why": "tea"})
    return Reply(body={"path": request.route, "q": request.q("q"), "body": request.text})


@pytest.fixture
def core() -> Iterator[HttpServer]:
    with HttpServer(echo, logged=lambda request: not request.route.startswith("/_quiet")) as server:
        yield server


def test_core_logs_every_request_with_the_status_it_got(core: HttpServer, http: requests.Session) -> None:
    http.get(f"{core.url}/a%20b", params=[("q", "1"), ("q", "2")], headers={"X-Name": "v"}, timeout=10)
    http.post(f"{core.url}/form", data=b"k=v", timeout=10)
    http.get(f"{core.url}/_quiet/health", timeout=10)
    first, second = core.log.snapshot()
    assert (first.method, first.path, first.route, first.raw_query) == ("GET", "/a%20b", "/a b", "q=1&q=2")
    assert first.query == {"q": ["1", "2"]} and first.q("q") == "2"
    assert first.headers["x-name"] == first.headers.get("X-NAME") == "v" and "X-Name" in first.sent_headers
    assert first.status == 200 and first.as_dict()["params"] == {"q": ["1", "2"]}
    assert (second.method, second.body, second.status) == ("POST", b"k=v", 200)
    assert core.log.clear() == 2 and core.log.entries == []


def test_core_faults_come_before_the_handler(core: HttpServer, http: requests.Session) -> None:
    core.fail_next(2, status=429, path="/slow", retry_after=3)
    core.fail_next(status=200, path="/raw", body="<html>not json</html>")
    core.fail_next(status=502, path="/json", body={"error": "bad gateway"}, headers={"X-Trace": "t"})
    assert http.get(f"{core.url}/other", timeout=10).status_code == 200  # another path
    for _ in range(2):
        throttled = http.get(f"{core.url}/slow", timeout=10)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert http.get(f"{core.url}/slow", timeout=10).json()["path"] == "/slow"  # used up
    assert http.get(f"{core.url}/raw", timeout=10).text == "<html>not json</html>"
    bad = http.get(f"{core.url}/json", timeout=10)
    assert bad.json() == {"error": "bad gateway"} and bad.headers["X-Trace"] == "t"
    core.fail_next(drop=True)
    with requests.Session() as own, pytest.raises(requests.ConnectionError):
        own.get(f"{core.url}/dropped", timeout=10)
    core.fail_next(status=0, cut=True)
    with requests.Session() as own, pytest.raises(requests.exceptions.ChunkedEncodingError):
        own.get(f"{core.url}/cut", timeout=10).json()
    core.fail_next(status=0, delay=0.3)
    started = time.monotonic()
    assert http.get(f"{core.url}/late", timeout=10).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert [r.status for r in core.log.snapshot()][-3:] == [0, 200, 200]


def test_core_handler_errors_are_answers(core: HttpServer, http: requests.Session) -> None:
    teapot = http.get(f"{core.url}/teapot", timeout=10)
    assert teapot.status_code == 418 and teapot.json() == {"error": "short and stout"}
    assert teapot.headers["X-Why"] == "tea"
    assert http.get(f"{core.url}/boom", timeout=10).status_code == 500
    assert http.get(f"{core.url}/after", timeout=10).status_code == 200  # still serving


def test_core_windows_and_parameter_checks() -> None:
    rows = [{"t": "2025-01-01T00:00:00Z"}, {"t": "2025-01-01T12:00:00+00:00"}, {"t": "2025-01-02T00:00:00Z"}]
    noon = epoch("2025-01-01T12:00:00Z")
    assert in_window(rows, [Bound("t", ">=", noon)]) == rows[1:]
    assert in_window(rows, [Bound("t", ">", noon)]) == rows[2:]
    assert in_window(rows, [Bound("t", "<", noon)]) == rows[:1]
    assert in_window(rows, [Bound("t", "<=", noon)]) == rows[:2]
    assert in_window(rows, [Bound("t", ":", noon)]) == rows[:2]  # the same UTC day

    def invalid(name: str, message: str) -> Exception:
        return ValueError(message)

    def request(**query: str) -> Request:
        return Request("GET", "/", {k: [v] for k, v in query.items()}, "", {}, b"")

    assert int_param(request(), "n", invalid, default=10) == 10
    assert int_param(request(n="5"), "n", invalid, lo=1, hi=9) == 5
    for query, message in [
        ({}, "n is required"),
        ({"n": "x"}, "n must be an integer"),
        ({"n": "0"}, "n must be between 1 and 9"),
    ]:
        with pytest.raises(ValueError, match=message):
            int_param(request(**query), "n", invalid, lo=1, hi=9)
    with pytest.raises(ValueError, match="n must be greater than or equal to 1"):
        int_param(request(n="0"), "n", invalid, default=1, lo=1)
    assert time_param(request(), "t", invalid, "bad") is None
    assert time_param(request(t="2025-01-01T13:00:00+01:00"), "t", invalid, "bad") == noon
    with pytest.raises(ValueError, match="t: 'soon'"):
        time_param(request(t="soon"), "t", invalid, "{name}: {raw!r}")


# Each walks every page the way the API documents and returns (ids in order, requests made).
