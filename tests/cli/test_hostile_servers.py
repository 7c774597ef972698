"""A hostile API, through the real command line: no credential leaves the origin, memory and time
stay bounded, nothing is silently changed or lost, and a signal stops the run honestly.

Every case runs `tap-restspec` against real local servers (a second server on another port, or
the same port under another host name, stands for another origin) and asserts what a user sees:
the records and state on stdout, the lines on stderr, the exit code, and the requests each
server received. Every case is bounded to a few seconds (`request_timeout` 1-2, `max_retries`
0-1, `max_retry_wait` 2).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from tests.helpers import TAP_BIN, Cli, Reply, Seen, Server, SpecRunner, run_cli, source_spec, start_tap

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
FAST = {"request_timeout": 2, "max_retries": 0, "max_retry_wait": 2}
API_KEY = "k3y-7f1e9a2b/c+d=="
PASSWORD = "pa55-w0rd-9c1d"
ACCESS = "acc3ss-t0ken-51ab"
CLIENT_SECRET = "cl1ent-s3cret-77ee"
REFRESH = "r3fresh-t0ken-0c0c"
SECRETS = (API_KEY, PASSWORD, ACCESS, CLIENT_SECRET, REFRESH)


# --- what a user sees ---------------------------------------------------------------------------


def problems(result: Cli) -> list[str]:
    """The stderr lines that are not log records: what the tap says when it stops."""
    return [line for line in result.stderr.splitlines() if " | " not in line]


def logged(result: Cli, level: str, text: str = "") -> list[str]:
    """Log lines of `level` that contain `text`."""
    return [line for line in result.stderr.splitlines() if f"| {level}" in line and text in line]


def states(result: Cli) -> list[dict[str, Any]]:
    return [m["value"] for m in result.messages() if m["type"] == "STATE"]


def fails_with(result: Cli, text: str) -> str:
    """The run failed with exit 1, no traceback, and one final line holding `text`; that line."""
    assert result.code == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = problems(result)
    assert len(lines) == 1 and text in lines[0], (text, lines, result.stderr[-3000:])
    return lines[0]


def forms(secret: str) -> list[str]:
    """A secret as it may travel: plain, percent-encoded, base64."""
    return [secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(secret.encode()).decode()]


def assert_no_secret(result: Cli, *secrets: str) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form not in result.stdout and form not in result.stderr, form


# --- a raw TCP server, for answers an HTTP framework will not write ------------------------------


Answer = Callable[[socket.socket, bytes, threading.Event], None]


class RawServer:
    """A local server that reads one request head per connection and lets `answer` write raw bytes."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: list[bytes] = []
        self.stopping = threading.Event()
        self._conns: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        self.sock.settimeout(0.1)  # closing a listening socket does not wake accept()
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
            self.seen.append(head)
            self.answer(conn, head, self.stopping)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopping.set()
        self.sock.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)


@pytest.fixture
def raw_serve() -> Iterator[Callable[[Answer], RawServer]]:
    started: list[RawServer] = []

    def start(answer: Answer) -> RawServer:
        server = RawServer(answer)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


# Runs the tap as its own child and writes the tap's peak RSS (KB) to a file: a process's
# ru_maxrss starts at its parent's peak before exec, so the tap is started from this small
# process, never straight from the test's (large, and larger the more tests ran before).
_MEASURE = """
import os, signal, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as peak:
    peak.write(str(usage.ru_maxrss))
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(directory: Path, config: dict[str, Any], timeout: float = 60) -> tuple[Cli, float, int]:
    """Run the CLI; its result, wall time and peak RSS in MB (the tap process itself)."""
    (directory / "config.json").write_text(json.dumps(config))
    out, err, peak = directory / "out.txt", directory / "err.txt", directory / "peak.txt"
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(peak), TAP_BIN, "--config", "config.json"],
            cwd=directory,
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
            start_new_session=True,
        )
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError("the tap did not finish in time") from None
    elapsed = time.monotonic() - started
    result = Cli(process.returncode, out.read_text(), err.read_text())
    return result, elapsed, int(peak.read_text()) // 1024


# --- credentials never leave the origin ---------------------------------------------------------


def basic_entry() -> dict[str, Any]:
    props = {"username": {"type": "string"}, "password": {"type": "string"}}
    return {"name": "basic", "type": "BasicAuthentication", "spec": {"properties": props}}


def key_entry() -> dict[str, Any]:
    key = {"type": "string", "restAttributes": {"headerParamName": "X-Key"}}
    return {"name": "key", "type": "KeyBased", "spec": {"properties": {"authKey1": key}}}


def oauth_entry() -> dict[str, Any]:
    names = ("clientId", "clientSecret", "accessToken", "refreshToken", "accessTokenUrl")
    return {
        "name": "oauth",
        "type": "OAuth2RefreshCode",
        "spec": {"properties": {n: {"type": "string"} for n in names}, "required": []},
    }


# (status, spec changes, settings): every way a credential can ride along on a redirect.
REDIRECTS = [
    pytest.param(
        302, {"headerParams": {"x-api-key": "${api_key}"}}, {"api_key": API_KEY}, id="302-x-api-key"
    ),
    pytest.param(307, {"authSpec": [key_entry()]}, {"api_key": API_KEY}, id="307-keybased"),
    pytest.param(
        302,
        {"authSpec": [basic_entry()]},
        {"username": "basic-user-42", "password": PASSWORD},
        id="302-basic",
    ),
    pytest.param(
        308,
        {"headerParams": {"Authorization": "Bearer ${access_token}"}},
        {"access_token": ACCESS},
        id="308-bearer-header",
    ),
    pytest.param(303, {"authSpec": [oauth_entry()]}, {"access_token": ACCESS}, id="303-oauth-bearer"),
    pytest.param(
        301, {"queryParams": {"api_key": "${api_key}"}}, {"api_key": API_KEY}, id="301-api-key-query"
    ),
    pytest.param(
        307,
        {"method": "POST", "bodyParams": {"key": "${api_key}", "secret": "${client_secret}"}},
        {"api_key": API_KEY, "client_secret": CLIENT_SECRET},
        id="307-post-body-with-secrets",
    ),
]


def document(url: str, changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    changes = dict(changes)
    entries = changes.pop("authSpec", None)
    doc = source_spec(url, schema=SCHEMA, **changes, **extra)
    if entries:
        doc["authSpec"] = entries
    return doc


@pytest.mark.parametrize(("status", "changes", "settings"), REDIRECTS)
def test_a_redirect_to_another_port_is_not_followed_with_credentials(
    serve, run_spec, status, changes, settings
):
    other = serve(lambda seen: Reply(body={"items": [{"id": 666}]}))
    api = serve(lambda seen: Reply(status, headers={"Location": f"{other.url}{seen.path}?{seen.raw_query}"}))
    result = run_spec.cli(document(api.url, changes), **settings, **FAST)
    fails_with(result, f"stream items: refused a redirect to another origin: {other.url}")
    assert other.seen == []
    assert len(api.seen) == 1
    assert result.records() == []
    assert_no_secret(result, *settings.values())


@pytest.mark.parametrize(
    "location",
    [
        pytest.param("http://localhost:{port}/items", id="another-host-same-port"),
        pytest.param("https://127.0.0.1:{port}/items", id="another-scheme"),
        pytest.param("//localhost:{port}/items", id="scheme-relative"),
    ],
)
def test_a_redirect_to_another_host_or_scheme_is_not_followed(serve, run_spec, location):
    def handler(seen: Seen) -> Reply:
        if seen.path == "/start":
            return Reply(302, headers={"Location": location.format(port=api.core.port)})
        return Reply(body={"items": [{"id": 666}]})

    api = serve(handler)
    doc = document(api.url, {"headerParams": {"x-api-key": "${api_key}"}}, path="/start")
    result = run_spec.cli(doc, api_key=API_KEY, **FAST)
    target = location.format(port=api.core.port).split("/items")[0]
    origin = ("http:" + target) if target.startswith("//") else target
    fails_with(result, f"refused a redirect to another origin: {origin}")
    assert [seen.path for seen in api.seen] == ["/start"]  # the same server never saw the hop
    assert_no_secret(result, API_KEY)


def test_the_oauth_token_url_answering_307_elsewhere_is_not_followed(serve, run_spec):
    other = serve(lambda seen: Reply(body={"access_token": "stolen", "expires_in": 3600}))

    def handler(seen: Seen) -> Reply:
        if seen.path == "/token":
            return Reply(307, headers={"Location": f"{other.url}/token"})
        return Reply(body={"items": [{"id": 1}]})

    api = serve(handler)
    doc = document(api.url, {"authSpec": [oauth_entry()]})
    result = run_spec.cli(
        doc,
        refresh_token=REFRESH,
        client_id="client-1",
        client_secret=CLIENT_SECRET,
        params={"accessTokenUrl": f"{api.url}/token"},
        **FAST,
    )
    fails_with(
        result,
        f"stream items: token refresh at {api.url}/token failed: "
        f"refused a redirect to another origin: {other.url}",
    )
    assert other.seen == []
    assert [seen.path for seen in api.seen] == ["/token"]  # no request went out without a token
    assert_no_secret(result, REFRESH, CLIENT_SECRET)


def test_after_a_401_refresh_the_new_bearer_token_does_not_follow_a_redirect(serve, run_spec):
    other = serve(lambda seen: Reply(body={"items": [{"id": 666}]}))
    fresh = "fr3sh-t0ken-a1a1"

    def handler(seen: Seen) -> Reply:
        if seen.path == "/token":
            return Reply(body={"access_token": fresh, "expires_in": 3600})
        if seen.headers.get("Authorization") == f"Bearer {ACCESS}":
            return Reply(401, body={"error": "expired"})
        return Reply(302, headers={"Location": f"{other.url}/items"})

    api = serve(handler)
    result = run_spec.cli(
        document(api.url, {"authSpec": [oauth_entry()]}),
        access_token=ACCESS,
        refresh_token=REFRESH,
        params={"accessTokenUrl": f"{api.url}/token"},
        **FAST,
    )
    fails_with(result, f"refused a redirect to another origin: {other.url}")
    assert other.seen == []
    assert [seen.path for seen in api.seen] == ["/items", "/token", "/items"]
    assert_no_secret(result, ACCESS, REFRESH, fresh)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        pytest.param(
            "http://127.0.0.1:{other}\\@127.0.0.1:{api}/items?page=2",
            "next-page link refused: URL refused: it holds whitespace, a control character or a backslash",
            id="backslash-userinfo",
        ),
        pytest.param(
            "http://127.0.0.1:{other}@127.0.0.1:{api}/items?page=2",
            "next-page link refused: URL refused: it holds a user name or password (userinfo)",
            id="userinfo",
        ),
        pytest.param(
            "http://127.0.0.1:{other}/items?page=2",
            "next-page link goes to http://127.0.0.1:{other}, not http://127.0.0.1:{api}",
            id="other-port",
        ),
        pytest.param(
            "//127.0.0.1:{other}/items?page=2",
            "next-page link goes to http://127.0.0.1:{other}, not http://127.0.0.1:{api}",
            id="scheme-relative",
        ),
    ],
)
def test_a_next_page_link_elsewhere_is_refused(serve, run_spec, link, message):
    other = serve(lambda seen: Reply(body={"items": [{"id": 666}]}))

    def handler(seen: Seen) -> Reply:
        return Reply(
            body={"items": [{"id": 1}], "next": link.format(other=other.core.port, api=api.core.port)}
        )

    api = serve(handler)
    doc = document(
        api.url,
        {"headerParams": {"x-api-key": "${api_key}", "Authorization": "Bearer ${access_token}"}},
        pagination={"type": "POINTER", "pointerPath": "$.next"},
    )
    result = run_spec.cli(doc, api_key=API_KEY, access_token=ACCESS, **FAST)
    fails_with(result, "stream items: " + message.format(other=other.core.port, api=api.core.port))
    assert other.seen == []
    assert len(api.seen) == 1
    assert_no_secret(result, API_KEY, ACCESS)


# --- memory and time stay bounded ----------------------------------------------------------------


def gzip_bomb(expanded_mb: int) -> bytes:
    """A gzip body of `expanded_mb` MB of zeros: 10 MB members, about 10 KB each on the wire."""
    member = gzip.compress(bytes(10 * 2**20), compresslevel=9)
    return member * (expanded_mb // 10)


def test_a_gzip_bomb_is_one_error_line_in_bounded_memory_and_time(serve, tmp_path):
    bomb = gzip_bomb(6000)  # 6 MB on the wire, 6 GB decompressed
    api = serve(lambda seen: Reply(raw=bomb, headers={"Content-Encoding": "gzip"}))
    spec = tmp_path / "items.json"
    spec.write_text(json.dumps(source_spec(api.url, schema=SCHEMA)))
    result, elapsed, peak_mb = run_measured(tmp_path, {"specs": [str(spec)], "max_response_mb": 20, **FAST})
    fails_with(result, f"stream items: the response from {api.url} is larger than 20 MB after decompression")
    assert elapsed < 10
    assert peak_mb < 200, peak_mb


def test_an_endless_chunked_body_is_one_error_line(raw_serve, run_spec):
    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        conn.sendall(b'b\r\n{"items": [\r\n')
        chunk = b'{"id": 1}, ' * 6000
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not stop.is_set():
            conn.sendall(frame)

    api = raw_serve(answer)
    started = time.monotonic()
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), max_response_mb=2, **FAST)
    fails_with(result, f"stream items: the response from {api.url} is larger than 2 MB after decompression")
    assert time.monotonic() - started < 10


def test_a_server_dripping_one_byte_a_second_is_a_timeout_not_a_hang(raw_serve, run_spec):
    def answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
        body = b'{"items": [{"id": 1}]}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
        for byte in body:
            if stop.wait(1):
                return
            conn.sendall(bytes([byte]))

    api = raw_serve(answer)
    started = time.monotonic()
    result = run_spec.cli(
        source_spec(api.url, schema=SCHEMA), request_timeout=1.5, max_retries=1, max_retry_wait=0.2
    )
    fails_with(result, f"the request to {api.url} did not complete within 1.5s (request_timeout)")
    assert "gave up after 2 tries" in problems(result)[0]
    assert len(api.seen) == 2
    assert time.monotonic() - started < 9


@pytest.fixture(scope="module")
def big_page() -> Iterator[Server]:
    """A 100 MB page of 800,000 records, served from one server for the module."""
    record = b'{"id": %d, "name": "' + b"x" * 100 + b'"}'
    body = b'{"items": [' + b",".join(record % i for i in range(800_000)) + b"]}"
    with Server(lambda seen: Reply(raw=body)) as server:
        yield server


@pytest.mark.parametrize("limit_mb", [310, 340, 370])
def test_a_page_that_cannot_be_held_in_memory_is_one_error_line(tmp_path, big_page, limit_mb):
    """Under an address-space limit (a container's memory limit), a 100 MB page is one error line:
    never a SIGSEGV, never a traceback; with these limits the body is read, and a copy or the
    decoded records do not fit.
    """
    spec = tmp_path / "items.json"
    spec.write_text(json.dumps(source_spec(big_page.url, schema=SCHEMA)))
    (tmp_path / "config.json").write_text(json.dumps({"specs": [str(spec)], **FAST, "request_timeout": 30}))

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    done = subprocess.run(
        [TAP_BIN, "--config", "config.json"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=limit,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    result = Cli(done.returncode, "", done.stderr)
    line = fails_with(result, f"stream items: the response from {big_page.url}")
    assert "memory" in line, line


# --- nothing is silently changed or lost --------------------------------------------------------

BIG = 123456789012345678901234567890


def test_a_30_digit_integer_stays_exact_and_is_typed_for_numeric(serve, run_spec):
    body = b'{"items": [{"id": %d, "small": 7}, {"id": 5, "small": 8}]}' % BIG
    api = serve(lambda seen: Reply(raw=body))
    result = run_spec.cli(source_spec(api.url, singer={"primaryKeys": ["id"]}), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert f'"id":{BIG}' in result.stdout.replace(" ", "")
    assert "e+29" not in result.stdout
    assert [r["id"] for r in result.records()] == [BIG, 5]
    (schema,) = [m["schema"] for m in result.messages() if m["type"] == "SCHEMA"]
    assert "number" in schema["properties"]["id"]["type"]  # NUMERIC in PostgreSQL, not BIGINT
    assert "integer" not in schema["properties"]["id"]["type"]
    assert "number" in schema["properties"]["small"]["type"]  # every inferred number (2026-12-07)


WINDOW = {
    "scheduleStartParamName": "since",
    "scheduleEndParamName": "until",
    "scheduleStartParamFormat": "yyyy-MM-ddTHH:mm:ssZ",
}
BOOKMARK = {
    "bookmarks": {"items": {"replication_key": "window_end", "replication_key_value": "2024-01-01T00:00:00Z"}}
}


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        pytest.param(
            Reply(302, raw=b""), "HTTP 302 from {url} has no Location header", id="302-without-location"
        ),
        pytest.param(
            Reply(300, headers={"Location": "/items?v=2"}, raw=b"choose"),
            "HTTP 300 from {url} is not a redirect the tap follows",
            id="300-multiple-choices",
        ),
    ],
)
def test_a_3xx_that_is_not_followed_is_an_error_and_the_bookmark_stays(serve, run_spec, reply, message):
    api = serve(lambda seen: reply)
    doc = source_spec(api.url, schema=SCHEMA, schedule=WINDOW)
    result = run_spec.cli(doc, state=BOOKMARK, end_date="2024-02-01T00:00:00Z", **FAST)
    fails_with(result, message.format(url=api.url))
    assert [seen.q("since") for seen in api.seen] == ["2024-01-01T00:00:00Z"]
    assert states(result)[-1] == BOOKMARK
    assert result.records() == []


def test_a_bookmark_after_the_window_end_reads_nothing_and_stays(serve, run_spec):
    api = serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
    later = {
        "bookmarks": {
            "items": {"replication_key": "window_end", "replication_key_value": "2030-01-01T00:00:00Z"}
        }
    }
    doc = source_spec(api.url, schema=SCHEMA, schedule=WINDOW)
    result = run_spec.cli(doc, state=later, end_date="2024-02-01T00:00:00Z", **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert api.seen == []
    (warning,) = logged(result, "WARNING", "later than the window's end")
    assert "2030-01-01T00:00:00Z" in warning and "2024-02-01T00:00:00Z" in warning
    assert states(result)[-1] == later
    assert result.records() == []


def test_a_bookmark_in_year_one_with_a_lookback_starts_at_the_earliest_date(serve, run_spec):
    api = serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
    year_one = {
        "bookmarks": {
            "items": {"replication_key": "window_end", "replication_key_value": "0001-01-01T00:30:00Z"}
        }
    }
    doc = source_spec(api.url, schema=SCHEMA, schedule=WINDOW)
    result = run_spec.cli(doc, state=year_one, end_date="2024-02-01T00:00:00Z", lookback_window=86400, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert [(s.q("since"), s.q("until")) for s in api.seen] == [
        ("0001-01-01T00:00:00Z", "2024-02-01T00:00:00Z")
    ]
    assert states(result)[-1]["bookmarks"]["items"]["replication_key_value"] == "2024-02-01T00:00:00Z"


def test_strings_become_value_records_and_nulls_are_skipped_with_one_warning(serve, run_spec):
    # "a" and 5 on one page: the value column is typed for both (jsonb); 5 after a page of strings
    # would stop the stream (target-postgres would store it as text, see output/emit.py).
    pages = {"0": ["a", 5, {"id": 3}], "3": [None, None, "z"], "6": []}
    api = serve(lambda seen: Reply(body={"items": pages[seen.q("offset")]}))
    doc = source_spec(
        api.url, pagination={"type": "OFFSET", "limitName": "limit", "limitValue": 3, "offSetName": "offset"}
    )
    result = run_spec.cli(doc, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert result.records() == [{"value": "a"}, {"value": 5}, {"id": 3}, {"value": "z"}]
    assert len(logged(result, "WARNING", "null elements in the content array are skipped")) == 1


def test_a_record_without_its_primary_key_is_an_error_naming_stream_and_key(serve, run_spec):
    api = serve(lambda seen: Reply(body={"items": [{"id": 1}, {"name": "no id"}]}))
    doc = source_spec(api.url, schema=SCHEMA, singer={"primaryKeys": ["id"]})
    result = run_spec.cli(doc, **FAST)
    fails_with(result, "stream items: a record has no primary key 'id' (singer.primaryKeys); its keys: name")
    assert not any(m["type"] == "ACTIVATE_VERSION" for m in result.messages())


@pytest.mark.parametrize(
    ("pagination", "answer"),
    [
        pytest.param(
            {
                "type": "CONTINUATION_TOKEN",
                "continuationTokenPath": "$.next",
                "parameterName": "cursor",
                "maximumRequest": 5,
            },
            lambda seen, n: {"items": [{"id": n}], "next": f"token-{n}"},
            id="continuation-token",
        ),
        pytest.param(
            {"type": "POINTER", "pointerPath": "$.next", "maximumRequest": 5},
            lambda seen, n: {"items": [{"id": n}], "next": f"/items?after={n}"},
            id="pointer",
        ),
    ],
)
def test_maximum_request_bounds_endless_pages_with_one_warning(serve, run_spec, pagination, answer):
    count = iter(range(1, 1000))
    api = serve(lambda seen: Reply(body=answer(seen, next(count))))
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA, pagination=pagination), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert len(api.seen) == 5
    assert [r["id"] for r in result.records()] == [1, 2, 3, 4, 5]
    (warning,) = logged(result, "WARNING", "maximumRequest")
    assert "stopped after maximumRequest=5 requests" in warning


# --- SIGTERM and SIGINT: an honest exit, and a state that loses nothing -------------------------

DAYS = [f"2024-01-0{d}T00:00:00Z" for d in range(1, 7)]  # five one-day slices


class Days:
    """One record per day of the window asked for; the second slice waits until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.slow = True

    def __call__(self, seen: Seen) -> Reply:
        since, until = seen.q("since"), seen.q("until")
        if self.slow and since == DAYS[1]:
            self.release.wait(8)  # the tap is signalled while this request is in flight
        ids = [i for i, day in enumerate(DAYS[:-1], 1) if since <= day < until]
        return Reply(body={"items": [{"id": i} for i in ids]})


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_run_with_the_state_of_completed_work(serve, tmp_path, signum, code):
    days = Days()
    api = serve(days)
    runner = SpecRunner(tmp_path)
    doc = source_spec(api.url, schema=SCHEMA, schedule=WINDOW, singer={"windowStep": "P1D"})
    config = runner.config(
        doc, "items.json", {"start_date": DAYS[0], "end_date": DAYS[-1], **FAST, "request_timeout": 10}
    )
    process = start_tap(tmp_path, config)
    try:
        lines: list[str] = []
        assert process.stdout is not None
        for raw in process.stdout:  # until the first slice's bookmark is out
            lines.append(raw.decode())
            if '"replication_key_value":"2024-01-02T00:00:00Z"' in lines[-1].replace(" ", ""):
                break
        deadline = time.monotonic() + 5
        while len(api.seen) < 2 and time.monotonic() < deadline:  # the second slice is in flight
            time.sleep(0.02)
        started = time.monotonic()
        process.send_signal(signum)
        rest, err = process.communicate(timeout=10)
        stopped_in = time.monotonic() - started
    finally:
        days.release.set()
        if process.poll() is None:
            process.kill()
            process.wait()
    first = Cli(process.returncode, "".join(lines) + rest.decode(), err.decode())
    assert first.code == code, first.stderr[-2000:]
    assert stopped_in < 3  # the request in flight was cut, not waited for
    assert "Traceback" not in first.stderr
    state = states(first)[-1]
    assert state["bookmarks"]["items"]["replication_key_value"] == DAYS[1]
    assert [r["id"] for r in first.records()] == [1]

    days.slow = False
    second = run_cli(tmp_path, config, state=state)
    assert second.code == 0, second.stderr[-2000:]
    assert [r["id"] for r in second.records()] == [2, 3, 4, 5]
    assert states(second)[-1]["bookmarks"]["items"]["replication_key_value"] == DAYS[-1]
    assert sorted(r["id"] for r in first.records() + second.records()) == [1, 2, 3, 4, 5]


# --- secrets in every encoding ------------------------------------------------------------------

ODD_SECRET = "s3cr3t/kéy+1 x&=?%~"  # every character that percent-encodes differently
KEY = "k3y/with+odd x&=?%~chars"  # sent in a header too: ASCII


def encoded(secret: str) -> set[str]:
    """Every form in which `secret` may reach a log line, an error or the state."""
    quoted = {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    raw = secret.encode()
    return {
        secret,
        *quoted,
        *(q.lower() for q in quoted),
        json.dumps(secret)[1:-1],
        base64.b64encode(raw).decode(),
        base64.b64encode(f"basic-user-42:{secret}".encode()).decode(),
        base64.b64encode(f"basic-user-42:{secret}".encode("latin-1")).decode(),  # as requests sends it
    }


def echo(status: int) -> Callable[[Seen], Reply]:
    """An API that fails with `status`, echoing everything it was sent back in its message."""

    def handler(seen: Seen) -> Reply:
        credential = str(seen.headers.get("Authorization", "")).removeprefix("Basic ")  # bare base64
        sent = {"credential": credential, "path": seen.path, "query": seen.raw_query, "body": seen.text}
        sent["headers"] = dict(seen.headers)  # last: the error line keeps only its first 300 characters
        return Reply(status, body={"error": "failed", "you sent": sent})

    return handler


def assert_never_shown(result: Cli, secret: str) -> None:
    for form in encoded(secret):
        assert form not in result.stdout, form
        shown = [line for line in result.stderr.splitlines() if form in line]
        assert shown == [], form


SECRET_PLACES = {
    "headerParams": {"X-Key": "${api_key}"},
    "queryParams": {"q": "${api_key}"},
    "method": "POST",
    "bodyParams": {"filter": "${api_key}"},
}


@pytest.mark.parametrize(
    ("status", "path"),
    [
        pytest.param(500, "/items", id="500-error-line"),
        pytest.param(404, "/keys/${api_key}/items", id="404-path-holding-the-key"),
        pytest.param(401, "/keys/${api_key}/items", id="401-with-basic"),
    ],
)
@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_secret_never_appears_in_any_encoding(serve, run_spec, status, path, level):
    api = serve(echo(status))
    doc = document(api.url, {**SECRET_PLACES, "authSpec": [basic_entry()]}, path=path)
    result = run_spec.cli(
        doc,
        state=BOOKMARK,
        env={"TAP_RESTSPEC_LOGLEVEL": level},
        api_key=KEY,
        username="basic-user-42",
        password=ODD_SECRET,
        request_timeout=2,
        max_retries=1,
        max_retry_wait=0.1,
    )
    assert result.code == 1, result.stderr[-2000:]
    line = problems(result)[-1]
    assert f"HTTP {status}" in line and "***" in line, line
    if level == "DEBUG":
        assert logged(result, "DEBUG", "HTTP/1.1"), "urllib3's request lines are logged"
    assert len(api.seen) == (2 if status == 500 else 1)
    sent = api.seen[0]
    assert sent.path.startswith("/keys/") or status == 500
    assert quote_plus(KEY) in sent.raw_query and f"{KEY}" in sent.headers["X-Key"]  # it did travel
    assert_never_shown(result, ODD_SECRET)
    assert_never_shown(result, KEY)


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"api_key": ["s3cr3t-in-a-list"]}, id="list"),
        pytest.param({"api_key": {"key": "s3cr3t-in-a-list"}}, id="object"),
        pytest.param({"password": 31415926535}, id="number"),
        pytest.param(
            {"api_key": "s3cr3t-in-a-list", "max_retries": "s3cr3t-in-a-list"}, id="pasted-elsewhere"
        ),
    ],
)
def test_a_secret_is_never_echoed_in_a_config_error(run_spec, api_server, settings):
    result = run_spec.cli(source_spec(api_server.url, schema=SCHEMA), **settings)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = problems(result)
    assert lines and all(line.startswith("config: ") for line in lines), lines
    for secret in ("s3cr3t-in-a-list", "31415926535"):
        assert secret not in result.stderr and secret not in result.stdout
    assert api_server.seen == []


@pytest.fixture
def api_server(serve):
    return serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
