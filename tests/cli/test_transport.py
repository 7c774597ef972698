"""The transport as a user sees it, through the real command line against local servers: interim
`1xx` answers, `403` rate limits, certificates, urllib3's header warning, signals during every
wait, and an output that closes.

Raw-socket servers write what HTTP libraries will not (interim answers, a malformed header); every
case is bounded to a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.test_hostile_servers import (
    SCHEMA,
    WINDOW,
    RawServer,
    fails_with,
    logged,
    oauth_entry,
    problems,
    states,
)
from tests.helpers import TAP_BIN, Cli, Reply, Seen, SpecRunner, source_spec, start_tap

FAST = {"request_timeout": 2, "max_retries": 1, "max_retry_wait": 5}
DAYS = [f"2024-01-0{d}T00:00:00Z" for d in range(1, 7)]  # five one-day slices
WINDOWED = {"start_date": DAYS[0], "end_date": DAYS[-1]}
NO_CA_BUNDLE = {
    name: "" for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")
}


@pytest.fixture
def raw() -> Iterator[Callable[..., RawServer]]:
    started: list[RawServer] = []

    def start(answer: Callable[[socket.socket, bytes, threading.Event], None]) -> RawServer:
        server = RawServer(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def answer_bytes(status: int, body: bytes, *header_lines: str) -> bytes:
    head = [f"HTTP/1.1 {status} X", "Content-Type: application/json", *header_lines]
    if not any(line.lower().startswith("content-length") for line in header_lines):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join([*head, "Connection: close"]) + "\r\n\r\n").encode() + body


def page_of(head: bytes) -> int:
    found = re.search(rb"[?&]page=(\d+)", head.split(b"\r\n", 1)[0])
    return int(found.group(1)) if found else 1


PAGES = {
    "type": "PAGE",
    "pageParamName": "page",
    "limitName": "limit",
    "limitValue": 2,
    "initialPageIndex": 1,
}
RECORDS = {1: [{"id": 1}, {"id": 2}], 2: [{"id": 3}]}  # the second page is short: the end


# --- 1. interim answers ------------------------------------------------------------------------


def interim(*statuses: int) -> bytes:
    return b"".join(b"HTTP/1.1 %d Interim\r\nLink: </style.css>; rel=preload\r\n\r\n" % s for s in statuses)


@pytest.mark.parametrize("statuses", [(103,), (102,), (100, 102, 103, 103)], ids=["103", "102", "several"])
def test_interim_answers_are_read_past_to_the_real_answer(raw, run_spec, statuses):
    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        body = json.dumps({"items": RECORDS[page_of(head)]}).encode()
        conn.sendall(interim(*statuses) + answer_bytes(200, body))

    api = raw(answer)
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA, pagination=PAGES), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [1, 2, 3]
    assert len(api.seen) == 2  # nothing retried: the real answers were read
    assert [m["type"] for m in result.messages()].count("ACTIVATE_VERSION") == 1


@pytest.mark.parametrize("windowed", [False, True], ids=["full-table", "windowed"])
def test_an_interim_answer_with_no_final_answer_is_a_fault_never_an_empty_page(raw, run_spec, windowed):
    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        body = json.dumps({"items": RECORDS[1]}).encode()
        conn.sendall(answer_bytes(200, body) if page_of(head) == 1 else interim(103))  # then closed

    api = raw(answer)
    schedule = {"schedule": WINDOW} if windowed else {}
    doc = source_spec(api.url, schema=SCHEMA, pagination=PAGES, **schedule)
    result = run_spec.cli(doc, **FAST, **(WINDOWED if windowed else {}))
    line = fails_with(result, "stream items: gave up after 2 tries: ConnectionError calling")
    assert line.endswith("(the connection closed after an interim HTTP 103 answer, with no final answer)")
    assert len(api.seen) == 3  # page 1, then page 2 tried twice
    assert "ACTIVATE_VERSION" not in [m["type"] for m in result.messages()]
    assert all("replication_key_value" not in s.get("bookmarks", {}).get("items", {}) for s in states(result))


def test_a_retry_after_an_interim_only_answer_reads_the_real_answer(raw, run_spec):
    tries: list[int] = []

    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        tries.append(1)
        body = json.dumps({"items": [{"id": 7}]}).encode()
        conn.sendall(interim(103) if len(tries) == 1 else interim(103) + answer_bytes(200, body))

    api = raw(answer)
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [7]
    assert len(api.seen) == 2
    (warning,) = logged(result, "WARNING", "retry 1 of 1")
    assert "interim HTTP 103" in warning


def test_a_garbled_status_line_is_retried_and_reported_on_one_line(raw, run_spec):
    api = raw(lambda conn, head, stop: conn.sendall(b"NOT HTTP\r\n\r\n"))
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), **FAST)
    line = fails_with(result, "stream items: gave up after 2 tries: ConnectionError calling")
    assert line.endswith("(NOT HTTP\\r\\n)")  # the server's line breaks, escaped: no line of its own
    (warning,) = logged(result, "WARNING", "retry 1 of 1")
    assert warning.endswith("(NOT HTTP\\r\\n)")
    assert len(api.seen) == 2


def test_conflicting_content_lengths_are_one_line_naming_them(raw, run_spec):
    body = b'{"items": [{"id": 1}]}'
    api = raw(
        lambda conn, head, stop: conn.sendall(
            answer_bytes(200, body, "Content-Length: 5", "Content-Length: 22")
        )
    )
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), **FAST)
    line = fails_with(result, "stream items: InvalidHeader calling")
    assert line.endswith("(Content-Length contained multiple unmatching values (5, 22))")
    assert len(api.seen) == 1 and result.records() == []


# --- 2. rate limits answered with 403 -----------------------------------------------------------

GITHUB_LIMIT = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}


def limited_once(headers: Callable[[], dict[str, str]]) -> Callable[[Seen], Reply]:
    """A 403 with `headers()` on the first request, then the records."""
    seen: list[Seen] = []

    def handler(request: Seen) -> Reply:
        seen.append(request)
        if len(seen) == 1:
            return Reply(403, body=GITHUB_LIMIT, headers=headers())
        return Reply(body={"items": [{"id": 1}, {"id": 2}]})

    return handler


@pytest.mark.parametrize(
    "headers",
    [
        lambda: {"Retry-After": "1"},
        lambda: {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 2)},
        lambda: {"x-ratelimit-limit": "60", "x-ratelimit-remaining": "0", "ratelimit-reset": "1"},
    ],
    ids=["retry-after", "remaining-0-epoch-reset", "remaining-0-seconds-reset"],
)
def test_a_403_rate_limit_is_retried_after_the_wait_it_asks(serve, run_spec, headers):
    api = serve(limited_once(headers))
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [1, 2]
    first, second = api.seen
    assert second.time - first.time >= 0.9
    (warning,) = logged(result, "WARNING", "retry 1 of 1")
    assert "HTTP 403" in warning


def test_a_403_rate_limit_longer_than_max_retry_wait_fails_with_one_line(serve, run_spec):
    reset = str(int(time.time()) + 3600)  # GitHub's primary limit: an hour
    api = serve(
        lambda seen: Reply(
            403, body=GITHUB_LIMIT, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        )
    )
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), **FAST)
    line = fails_with(result, "stream items: the API asks to wait ")
    assert line.endswith("s before retrying, more than max_retry_wait (5s)")
    assert len(api.seen) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": str(int(time.time()) + 60)},
        {"X-RateLimit-Remaining": "0"},
        {"Retry-After": "soon"},
    ],
    ids=["no-hint", "requests-remaining", "no-reset", "unreadable-retry-after"],
)
def test_a_403_without_a_rate_limit_hint_is_fatal_at_once(serve, run_spec, headers):
    api = serve(
        lambda seen: Reply(403, body={"message": "Resource not accessible by integration"}, headers=headers)
    )
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), **FAST)
    fails_with(result, "HTTP 403")
    assert "Resource not accessible by integration" in problems(result)[0]
    assert len(api.seen) == 1


def test_the_token_request_shares_the_403_rate_limit_policy(serve, run_spec):
    tokens: list[Seen] = []

    def handler(seen: Seen) -> Reply:
        if seen.path == "/token":
            tokens.append(seen)
            if len(tokens) == 1:
                return Reply(403, body=GITHUB_LIMIT, headers={"Retry-After": "1"})
            return Reply(body={"access_token": "fresh-token-1234", "expires_in": 3600})
        if seen.headers.get("Authorization") != "Bearer fresh-token-1234":
            return Reply(401)
        return Reply(body={"items": [{"id": 1}]})

    api = serve(handler)
    doc = source_spec(api.url, schema=SCHEMA)
    doc["authSpec"] = [oauth_entry()]
    result = run_spec.cli(
        doc, refresh_token="r3fresh-t0ken", params={"accessTokenUrl": f"{api.url}/token"}, **FAST
    )
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [1]
    assert [seen.path for seen in api.seen] == ["/token", "/token", "/items"]
    assert tokens[1].time - tokens[0].time >= 0.9


# --- 3. certificates ---------------------------------------------------------------------------


class TLSServer:
    """A local HTTPS server with its own self-signed certificate (made by openssl for 127.0.0.1)."""

    def __init__(self, folder: Path) -> None:
        self.cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", self.cert, "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.handshakes = 0
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        self.handshakes += 1
        with contextlib.suppress(OSError), conn:
            conn.settimeout(5)
            secure = self.context.wrap_socket(conn, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = secure.recv(65536)
                if not chunk:
                    return
                head += chunk
            self.requests += 1
            secure.sendall(answer_bytes(200, json.dumps({"items": [{"id": 1}, {"id": 2}]}).encode()))
            secure.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def tls_api(tmp_path_factory) -> Iterator[TLSServer]:
    server = TLSServer(tmp_path_factory.mktemp("tls"))
    yield server
    server.close()


def test_an_untrusted_certificate_says_which_host_and_how_to_trust_it(tls_api, run_spec):
    result = run_spec.cli(source_spec(tls_api.url, schema=SCHEMA), env=NO_CA_BUNDLE, **FAST)
    line = fails_with(
        result, "stream items: the certificate of 127.0.0.1 is not trusted (self-signed certificate)"
    )
    assert line.endswith(
        ": to trust it, set REQUESTS_CA_BUNDLE or SSL_CERT_FILE to a CA bundle (a PEM file) that holds it or "
        "its issuer"
    )
    assert tls_api.handshakes == 1 and tls_api.requests == 0  # not retried: it would not verify next time


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_a_ca_bundle_named_in_the_environment_is_trusted(tls_api, run_spec, variable):
    env = {**NO_CA_BUNDLE, variable: tls_api.cert}
    result = run_spec.cli(source_spec(tls_api.url, schema=SCHEMA), env=env, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [1, 2]


def test_a_ca_bundle_variable_naming_no_file_is_one_line(tls_api, run_spec, tmp_path):
    missing = str(tmp_path / "no-such-bundle.pem")
    env = {**NO_CA_BUNDLE, "REQUESTS_CA_BUNDLE": missing}
    result = run_spec.cli(source_spec(tls_api.url, schema=SCHEMA), env=env, **FAST)
    fails_with(result, f"stream items: REQUESTS_CA_BUNDLE names a CA bundle that does not exist: {missing!r}")
    assert tls_api.handshakes == 0


def test_a_proxy_from_the_environment_is_still_used(raw, run_spec):
    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        conn.sendall(answer_bytes(200, json.dumps({"items": [{"id": 5}]}).encode()))

    proxy = raw(answer)
    env = {"HTTP_PROXY": proxy.url, "http_proxy": proxy.url, "NO_PROXY": "", "no_proxy": ""}
    result = run_spec.cli(source_spec("http://api.example.test:8080", schema=SCHEMA), env=env, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [5]
    assert [head.split(b"\r\n", 1)[0] for head in proxy.seen] == [
        b"GET http://api.example.test:8080/items HTTP/1.1"
    ]


# --- 4. library tracebacks in the log ------------------------------------------------------------


def test_a_malformed_response_header_is_one_warning_line_without_a_traceback(raw, run_spec):
    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        body = json.dumps({"items": RECORDS[page_of(head)]}).encode()
        conn.sendall(answer_bytes(200, body, "X-Debug: ok", "Bad Header Line"))

    api = raw(answer)
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA, pagination=PAGES), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [1, 2, 3]
    assert "Traceback" not in result.stderr and "HeaderParsingError" not in result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "Bad Header Line" in line]
    assert "| WARNING" in warning
    assert warning.endswith(
        f"The answer from {api.url} has a header line that is not 'Name: value' ('Bad Header Line'): "
        "it and the lines after it are not read as headers"
    )
    assert len(api.seen) == 2  # both answers had it: one line


# --- 5. a signal ends every wait ----------------------------------------------------------------

SLOW = "60"  # what the server asks to wait: far beyond the test


def windowed_api(second_slice: Callable[[Seen], Reply | None]) -> Callable[[Seen], Reply]:
    """One record per day; the second slice's request gets `second_slice(seen)` when it says so."""

    def handler(seen: Seen) -> Reply:
        if seen.path == "/token":
            return second_slice(seen) or Reply(body={"access_token": "new-t0ken-1234"})
        since = seen.q("since")
        if since == DAYS[1]:
            special = second_slice(seen)
            if special is not None:
                return special
        ids = [i for i, day in enumerate(DAYS[:-1], 1) if since <= day < seen.q("until")]
        return Reply(body={"items": [{"id": i} for i in ids]})

    return handler


def token_answers(status: int) -> Callable[[Seen], Reply | None]:
    """The access token given is refused from the second slice on; the token URL asks to wait."""

    def answer(seen: Seen) -> Reply | None:
        if seen.path == "/token":
            return Reply(status, headers={"Retry-After": SLOW}, body={"error": "slow down"})
        return Reply(401)

    return answer


WAITS = {
    "token-429": (token_answers(429), {}),
    "token-503": (token_answers(503), {}),
    "retry-429": (lambda seen: Reply(429, headers={"Retry-After": SLOW}), {}),
    "rate-limit-403": (
        lambda seen: Reply(403, headers={"X-RateLimit-Remaining": "0", "RateLimit-Reset": SLOW}),
        {},
    ),
    "pacing": (lambda seen: None, {"delayRequestMillis": 60_000}),
}


@pytest.mark.parametrize(
    ("wait", "signum", "code"),
    [
        *[pytest.param(name, signal.SIGTERM, 143, id=f"{name}-SIGTERM") for name in WAITS],
        pytest.param("token-429", signal.SIGINT, 130, id="token-429-SIGINT"),
        pytest.param("pacing", signal.SIGINT, 130, id="pacing-SIGINT"),
    ],
)
def test_a_signal_ends_every_wait_within_a_second(serve, tmp_path, wait, signum, code):
    second_slice, pagination = WAITS[wait]
    api = serve(windowed_api(second_slice))
    doc = source_spec(
        api.url,
        schema=SCHEMA,
        schedule=WINDOW,
        singer={"windowStep": "P1D"},
        pagination={"type": "NONE", **pagination},
    )
    doc["authSpec"] = [oauth_entry()]
    settings = {
        "access_token": "old-t0ken-1234",
        "refresh_token": "r3fresh-t0ken",
        "params": {"accessTokenUrl": f"{api.url}/token"},
        **WINDOWED,
        "max_retries": 3,
        "max_retry_wait": 120,
    }
    config = SpecRunner(tmp_path).config(doc, "items.json", settings)
    process = start_tap(tmp_path, config)
    # The wait begins after the answer to the token request, or to the second slice's request
    # (pacing: after the first slice's, before the second is sent).
    trigger = "/token" if wait.startswith("token") else DAYS[0] if wait == "pacing" else DAYS[1]
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            if any(trigger in (seen.path, seen.q("since")) for seen in api.seen):
                break
            time.sleep(0.02)
        time.sleep(0.5)  # the answer is in, the tap is waiting
        assert process.poll() is None, "the tap ended before the signal"
        started = time.monotonic()
        process.send_signal(signum)
        out, err = process.communicate(timeout=10)
        stopped_in = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    result = Cli(process.returncode, out.decode(), err.decode())
    assert result.code == code, result.stderr[-2000:]
    assert stopped_in < 1.0, stopped_in
    assert "Traceback" not in result.stderr
    if wait != "pacing":
        assert len(logged(result, "WARNING", "retry 1 of 3 in 60.0s")) == 1
    assert [r["id"] for r in result.records()] == [1]
    assert states(result)[-1]["bookmarks"]["items"]["replication_key_value"] == DAYS[1]  # slice 1, whole


# --- 6. a closed output stops the run -----------------------------------------------------------


def endless_pages(seen: Seen) -> Reply:
    offset = int(seen.q("offset") or 0)
    return Reply(body={"items": [{"id": offset + i} for i in range(5)]}, delay=0.02)


OFFSETS = {"type": "OFFSET", "limitName": "limit", "limitValue": 5, "offSetName": "offset"}


def test_a_closed_output_stops_the_run_within_a_second(serve, run_spec, tmp_path):
    api = serve(endless_pages)
    config = run_spec.config(source_spec(api.url, schema=SCHEMA, pagination=OFFSETS), "items.json", {})
    process = start_tap(tmp_path, config)
    try:
        assert process.stdout is not None and process.stderr is not None
        assert json.loads(process.stdout.readline())["type"] == "SCHEMA"
        while len(api.seen) < 10:  # well into the pages
            time.sleep(0.02)
        process.stdout.close()  # the target has gone
        closed = time.time()
        process.wait(timeout=5)
        stopped_in = time.time() - closed
        err = process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    time.sleep(0.3)
    assert process.returncode == 141, err[-2000:]
    assert stopped_in < 1.0, stopped_in
    late = [seen for seen in api.seen if seen.time > closed + 0.5]
    assert late == []  # no request after the stop (those in flight were cut)
    assert "Traceback" not in err and "BrokenPipe" not in err and "| ERROR" not in err
    (line,) = [line for line in err.splitlines() if "output closed" in line]
    assert line.endswith("The output closed (its reader stopped reading): stopping the run")
    assert [line for line in err.splitlines() if " | " not in line] == []


def test_piped_into_head_the_tap_prints_its_line_and_ends_quietly(serve, run_spec, tmp_path):
    api = serve(endless_pages)
    config = run_spec.config(source_spec(api.url, schema=SCHEMA, pagination=OFFSETS), "items.json", {})
    (tmp_path / "config.json").write_text(json.dumps(config))
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"{TAP_BIN} --config config.json 2>err.txt | head -1; echo ${{PIPESTATUS[@]}} >codes.txt",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0 and done.stderr == ""  # head's exit, and nothing from the shell
    (line,) = done.stdout.splitlines()
    assert json.loads(line)["type"] == "SCHEMA"
    assert (tmp_path / "codes.txt").read_text().split() == ["141", "0"]
    errors = (tmp_path / "err.txt").read_text()
    assert "Traceback" not in errors and "BrokenPipe" not in errors and "Exception ignored" not in errors
    assert [line for line in errors.splitlines() if " | " not in line] == []
    assert len(api.seen) < 25  # endless pages: it stopped
