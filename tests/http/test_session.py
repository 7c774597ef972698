"""GuardedSession against real local servers: origins, redirects, deadlines, body limits."""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import os
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tap_restspec.errors import StreamError
from tap_restspec.http.origin import Origin, UnsafeURL, origin_of
from tap_restspec.http.retry import is_retriable
from tap_restspec.http.session import (
    BodyMemoryError,
    BodyTooLarge,
    DeadlineExceeded,
    GuardedSession,
    Limits,
    OriginRefused,
    RedirectRefused,
    UnfollowedRedirect,
)

ROOT = Path(__file__).resolve().parents[2]
MB = 2**20


# --- a raw local server: every request logged, each answer written by hand -----------------


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int
    stop: threading.Event  # set when the server stops: a slow answer waits on it, not on sleep()


App = Callable[[Req, socket.socket], "bool | None"]


def reply(conn: socket.socket, status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None,
          reason: str = "X") -> bool:
    head = {"Content-Length": str(len(body)), **(headers or {})}
    lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
    conn.sendall(f"HTTP/1.1 {status} {reason}\r\n{lines}\r\n".encode("latin-1"))
    conn.sendall(body)  # not joined: a bomb test must not count a copy made by the server
    return True


def _read_request(rfile, port: int, stop: threading.Event) -> Req | None:
    line = rfile.readline(65536)
    if not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (h := rfile.readline(65536)) not in (b"\r\n", b"\n", b""):
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = rfile.read(int(headers.get("content-length", "0")))
    return Req(method, target, headers, body, port, stop)


class Server:
    """A threaded server on 127.0.0.1; `app(req, conn)` answers; False closes the connection."""

    def __init__(self, app: App, tls: ssl.SSLContext | None = None) -> None:
        self.app, self.tls, self.log = app, tls, []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.scheme = "https" if tls else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self.conns: list[socket.socket] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._accept, daemon=True)]
        self.threads[0].start()

    def _accept(self) -> None:
        while True:
            try:
                conn, addr = self.sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn, addr[1]), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket, port: int) -> None:
        try:
            conn.settimeout(10)
            if self.tls:
                conn = self.tls.wrap_socket(conn, server_side=True)
                self.conns.append(conn)
            rfile = conn.makefile("rb")
            while (req := _read_request(rfile, port, self.stopping)) is not None:
                self.log.append(req)
                if self.app(req, conn) is False:
                    break
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.sock.close()
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self.threads:
            thread.join(timeout=3)


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(app: App, tls: ssl.SSLContext | None = None) -> Server:
        servers.append(Server(app, tls))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def routes(table: dict[str, App]) -> App:
    def app(req: Req, conn: socket.socket) -> bool | None:
        return table[req.path.split("?")[0]](req, conn)

    return app


def ok(req: Req, conn: socket.socket) -> bool:
    return reply(conn, 200, json.dumps({"method": req.method, "body": req.body.decode()}).encode())


def never(req: Req, conn: socket.socket) -> bool:
    return reply(conn, 200, b"must not be reached")


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    key, crt = str(folder / "key.pem"), str(folder / "cert.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", crt, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return crt, key


@pytest.fixture
def tls(cert: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*cert)
    return context


def session(server: Server, timeout: float = 2.0, max_bytes: int = 4 * MB, **kw: int) -> GuardedSession:
    return GuardedSession(server.url, Limits(timeout, max_bytes, **kw))


def get(s: GuardedSession, url: str, method: str = "GET", **kw) -> requests.Response:
    return s.send(s.prepare_request(requests.Request(method, url, **kw)))


# --- the origin check, against where urllib3 really connects --------------------------------

# (URL, origin_of's answer, where an unguarded requests.get lands): "a" is the API's server,
# "b" another origin, None: refused by origin_of / no connection at all.
URLS = [
    ("http://127.0.0.1:{a}/x", "a", "a"),
    ("HTTP://127.0.0.1:{a}/x?q=1", "a", "a"),
    ("http://127.0.0.1:{a}#@127.0.0.1:{b}/", "a", "a"),
    ("http://127.0.0.1:{a}?@127.0.0.1:{b}/", "a", "a"),
    ("http://127.0.0.1:{a}/%5C@127.0.0.1:{b}/", "a", "a"),
    ("http://127.0.0.1:{a}/x?next=http://127.0.0.1:{b}/", "a", "a"),
    ("http://127.0.0.1:{b}\\@127.0.0.1:{a}/x", None, "b"),  # urlsplit says {a}; urllib3 connects to {b}
    ("http://127.0.0.1:{a}/\\@127.0.0.1:{b}/x", None, "a"),
    ("http://127.0.0.1:{b}@127.0.0.1:{a}/x", None, "a"),
    ("http://user:pass@127.0.0.1:{a}/x", None, "a"),
    ("http://@127.0.0.1:{a}/x", None, "a"),
    ("http://127.0.0.1%3A{b}@127.0.0.1:{a}/x", None, "a"),
    ("//127.0.0.1:{a}/x", None, None),
    ("http:/127.0.0.1:{a}/x", None, None),
    ("http:127.0.0.1:{a}/x", None, None),
    ("http:\\\\127.0.0.1:{a}/x", None, None),
    ("http://127.0.0.1:{a}\t/x", None, None),
    ("http://127.0.0.1:{b}\t@127.0.0.1:{a}/x", None, "a"),
    ("http://127.0.0.1:{a}/x\n", None, "a"),
    ("http://127.0.0.1:{a}/a b", None, "a"),
    (" http://127.0.0.1:{a}/x", None, "a"),
    ("http://127.0.0.1:{a}/\x00", None, "a"),
    ("ftp://127.0.0.1:{a}/x", None, None),
    ("file:///etc/passwd", None, None),
    ("http://:{a}/x", None, None),
    ("http:///x", None, None),
    ("http://127.0.0.1:99999/x", None, None),
    ("http://[::1/x", None, None),
]


def _landing(a: Server, b: Server, send: Callable[[], object]) -> str | None:
    before = len(a.log), len(b.log)
    with contextlib.suppress(requests.RequestException, StreamError):
        send()
    return "a" if len(a.log) > before[0] else "b" if len(b.log) > before[1] else None


@pytest.mark.parametrize(("template", "expected", "unguarded"), URLS)
def test_origin_check_agrees_with_urllib3(serve, template: str, expected: str | None,
                                          unguarded: str | None) -> None:
    a, b = serve(ok), serve(ok)
    url = template.format(a=a.port, b=b.port)
    assert _landing(a, b, lambda: requests.get(url, timeout=2)) == unguarded
    if expected is None:
        with pytest.raises(UnsafeURL) as info:
            origin_of(url)
        assert "\n" not in str(info.value)
    else:
        assert origin_of(url) == Origin("http", "127.0.0.1", a.port)
        assert unguarded == expected  # no disagreement with where urllib3 connects
    # the guarded session sends a prepared request (already re-quoted by requests) to {a} or refuses it
    guarded = _landing(a, b, lambda: get(session(a), url))
    assert guarded in ("a", None) and (guarded == "a" or expected is None)
    assert b.log == [] or (unguarded == "b" and len(b.log) == 1)


def test_the_backslash_trap_is_real(serve) -> None:
    """Python's urlsplit sees the API's port; urllib3 connects to the other one."""
    a, b = serve(ok), serve(ok)
    url = f"http://127.0.0.1:{b.port}\\@127.0.0.1:{a.port}/x"
    assert urlsplit(url).port == a.port
    requests.get(url, timeout=2)
    assert (len(a.log), len(b.log)) == (0, 1)


def test_origin_defaults_and_normalisation() -> None:
    assert origin_of("https://Example.COM/x") == Origin("https", "example.com", 443)
    assert origin_of("http://example.com:/x") == Origin("http", "example.com", 80)
    assert origin_of("http://[::1]:8080/") == Origin("http", "[::1]", 8080)
    assert origin_of("http://127.0.0.1:0/x") == Origin("http", "127.0.0.1", 80)  # requests drops ":0"
    assert origin_of("http://127.0.0.1:00081/x") == Origin("http", "127.0.0.1", 81)
    assert origin_of(b"http://xn--mnchen-3ya.de/") == origin_of("http://münchen.de/")
    assert str(origin_of("https://h.example:8443/p?q=1")) == "https://h.example:8443"


def test_refusals_never_show_secrets() -> None:
    for url in ("http://user:s3cr3t@h/?api_key=s3cr3t", "http://h\\@x/?token=s3cr3t", "ftp://h/?k=s3cr3t"):
        with pytest.raises(UnsafeURL) as info:
            origin_of(url)
        assert "s3cr3t" not in str(info.value)


def test_a_url_changed_after_preparing_is_checked_as_sent(serve) -> None:
    a, b = serve(ok), serve(ok)
    s = session(a)
    for url in (f"http://127.0.0.1:{b.port}\\@127.0.0.1:{a.port}/x", f"http://127.0.0.1:{b.port}/x"):
        prepared = s.prepare_request(requests.Request("GET", f"{a.url}/x"))
        prepared.url = url  # as a paginator might place a link
        with pytest.raises((UnsafeURL, OriginRefused)):
            s.send(prepared)
    assert a.log == [] and b.log == []


def test_request_to_another_origin_is_refused_before_connecting(serve) -> None:
    a, b = serve(ok), serve(never)
    with pytest.raises(OriginRefused) as info:
        get(session(a), f"{b.url}/x?api_key=s3cr3t")
    assert str(info.value) == f"refused a request to another origin: http://127.0.0.1:{b.port}"
    assert b.log == []


# --- redirects -------------------------------------------------------------------------------


def test_same_origin_redirects_are_followed_with_headers(serve) -> None:
    hops = {
        "/start": lambda r, c: reply(c, 302, headers={"Location": "/next?x=1"}),
        "/next": lambda r, c: reply(c, 301, headers={"Location": "end"}),
        "/end": ok,
    }
    a = serve(routes(hops))
    response = get(session(a), f"{a.url}/start", headers={"x-api-key": "k"})
    assert response.status_code == 200 and [h.status_code for h in response.history] == [302, 301]
    assert [r.path for r in a.log] == ["/start", "/next?x=1", "/end"]
    assert all(r.headers.get("x-api-key") == "k" for r in a.log)
    assert len({r.client_port for r in a.log}) == 1  # one keep-alive connection


@pytest.mark.parametrize(("status", "method", "body"), [
    (301, "GET", ""), (302, "GET", ""), (303, "GET", ""),
    (307, "POST", "secret=1"), (308, "POST", "secret=1"),
])
def test_redirect_methods(serve, status: int, method: str, body: str) -> None:
    a = serve(routes({"/p": lambda r, c: reply(c, status, headers={"Location": "/q"}), "/q": ok}))
    response = get(session(a), f"{a.url}/p", "POST", data="secret=1")
    assert response.json() == {"method": method, "body": body}
    if not body:
        assert "content-length" not in a.log[1].headers or a.log[1].headers["content-length"] == "0"


def test_redirect_loop_stops(serve) -> None:
    a = serve(routes({"/loop": lambda r, c: reply(c, 302, headers={"Location": "/loop"})}))
    with pytest.raises(UnfollowedRedirect, match="more than 3 redirects"):
        get(session(a, max_redirects=3), f"{a.url}/loop")
    assert len(a.log) == 4


@pytest.mark.parametrize("location", [
    "http://127.0.0.1:{b}/steal?api_key=s3cr3t",
    "//127.0.0.1:{b}/steal",
    "http://localhost:{a}/x",
    "http://127.0.0.1:{b}\\@127.0.0.1:{a}/x",
    "http://127.0.0.1:{b}@127.0.0.1:{a}/x",
    "http://x:y@127.0.0.1:{a}/x",
    "https://127.0.0.1:{a}/x",
    "ftp://127.0.0.1:{b}/x",
])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_cross_origin_redirects_are_refused(serve, location: str, status: int) -> None:
    b = serve(ok)
    target = {}

    def redirect(req: Req, conn: socket.socket) -> bool:
        return reply(conn, status, headers={"Location": target["url"]})

    a = serve(redirect)
    target["url"] = location.format(a=a.port, b=b.port)
    s = session(a)
    s.auth = ("user", "password")
    with pytest.raises(RedirectRefused) as info:
        get(s, f"{a.url}/p?api_key=s3cr3t", "POST", data="client_secret=s3cr3t", headers={"x-api-key": "k"})
    message = str(info.value)
    assert "s3cr3t" not in message and "steal" not in message and "\n" not in message
    if location.startswith("http://127.0.0.1:{b}/") or location.startswith("//"):
        assert message == f"refused a redirect to another origin: http://127.0.0.1:{b.port}"
    assert b.log == [] and len(a.log) == 1


def test_https_to_http_is_refused(serve, tls, cert) -> None:
    plain = serve(ok)
    secure = serve(lambda r, c: reply(c, 302, headers={"Location": f"http://127.0.0.1:{plain.port}/x"}), tls)
    s = session(secure)
    s.verify = cert[0]
    with pytest.raises(RedirectRefused, match=f"another origin: http://127.0.0.1:{plain.port}$"):
        get(s, f"{secure.url}/p", headers={"Authorization": "Bearer s3cr3t"})
    assert plain.log == [] and len(secure.log) == 1


def test_unverified_certificate_is_an_error_not_retried(serve, tls) -> None:
    secure = serve(ok, tls)
    with pytest.raises(requests.exceptions.SSLError) as info:
        get(session(secure), f"{secure.url}/x")  # the self-signed certificate is not trusted
    assert not is_retriable(info.value)


def test_same_origin_https_redirect(serve, tls, cert) -> None:
    secure = serve(routes({"/p": lambda r, c: reply(c, 307, headers={"Location": "/q"}), "/q": ok}), tls)
    s = session(secure)
    s.verify = cert[0]
    assert get(s, f"{secure.url}/p", "POST", data="a=1").json() == {"method": "POST", "body": "a=1"}


@pytest.mark.parametrize(("status", "headers"), [
    (302, {}), (301, {"Location": ""}), (300, {"Location": "/q"}), (304, {}), (305, {"Location": "/q"}),
])
def test_unfollowed_3xx_is_an_error(serve, status: int, headers: dict[str, str]) -> None:
    a = serve(routes({"/p": lambda r, c: reply(c, status, b"", headers), "/q": ok}))
    with pytest.raises(UnfollowedRedirect, match=f"^HTTP {status} from http://127.0.0.1:{a.port} "):
        get(session(a), f"{a.url}/p")
    assert len(a.log) == 1


# --- answers, pooling, threads -----------------------------------------------------------------


def test_bodies_identity_gzip_deflate_chunked(serve) -> None:
    data = json.dumps({"items": list(range(50_000))}).encode()

    def chunked(req: Req, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(data), 7000):
            part = data[i:i + 7000]
            conn.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        conn.sendall(b"0\r\n\r\n")
        return True

    a = serve(routes({
        "/identity": lambda r, c: reply(c, 200, data),
        "/gzip": lambda r, c: reply(c, 200, gzip.compress(data), {"Content-Encoding": "gzip"}),
        "/deflate": lambda r, c: reply(c, 200, zlib.compress(data), {"Content-Encoding": "deflate"}),
        "/chunked": chunked,
        "/empty": lambda r, c: reply(c, 204),
    }))
    s = session(a)
    for path in ("/identity", "/gzip", "/deflate", "/chunked"):
        response = get(s, a.url + path)
        assert isinstance(response.content, bytearray) and response.content == data
        assert response.json()["items"][-1] == 49_999 and response.text.startswith('{"items"')
    assert get(s, a.url + "/empty").content == b""
    assert len({r.client_port for r in a.log}) == 1


def test_keep_alive_many_pages_no_fd_leak(serve) -> None:
    a = serve(ok)
    s = session(a)
    get(s, f"{a.url}/warm")
    gc.collect()  # sockets an earlier test left to the collector close now, not during the count
    fds = len(os.listdir("/proc/self/fd"))
    threads = threading.active_count()  # other tests of this worker may have left some
    for i in range(200):
        assert get(s, f"{a.url}/page?i={i}").status_code == 200
    assert len({r.client_port for r in a.log}) == 1
    assert len(os.listdir("/proc/self/fd")) <= fds  # no descriptor leaks
    assert threading.active_count() <= threads + 2  # watchdog timers do not pile up


def test_other_statuses_come_back_as_responses(serve) -> None:
    a = serve(lambda r, c: reply(c, 404, b'{"message": "nope"}'))
    response = get(session(a), f"{a.url}/x")
    assert response.status_code == 404 and response.json() == {"message": "nope"}


def test_one_session_many_threads_watchdogs_stay_in_their_thread(serve) -> None:
    def slowish(req: Req, conn: socket.socket) -> bool:
        if req.path.startswith("/drip"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                conn.sendall(b"x")
                if req.stop.wait(0.1):
                    return False
            return False
        time.sleep(0.01)
        return reply(conn, 200, b"ok")

    a = serve(slowish)
    s = session(a, timeout=1.0)
    errors: list[BaseException] = []
    oks: list[int] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                oks.append(get(s, f"{a.url}/fast?{n}-{i}").status_code)
        except BaseException as exc:
            errors.append(exc)

    def dripper() -> None:
        with pytest.raises(DeadlineExceeded):
            get(s, f"{a.url}/drip")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=dripper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert errors == [] and oks == [200] * 90


# --- the whole-request deadline ------------------------------------------------------------------


def drip_headers(req: Req, conn: socket.socket) -> bool:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
        conn.sendall(bytes([byte]))
        if req.stop.wait(1.0):
            return False
    return False


def drip_body(req: Req, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    for _ in range(100):
        conn.sendall(b"x")
        if req.stop.wait(1.0):
            return False
    return False


def drip_chunks(req: Req, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(100):
        conn.sendall(b"1\r\nx\r\n")
        if req.stop.wait(1.0):
            return False
    return False


def drip_silent(req: Req, conn: socket.socket) -> bool:
    req.stop.wait(5)
    return False


@pytest.mark.parametrize("app", [drip_headers, drip_body, drip_chunks, drip_silent])
def test_deadline_bounds_the_whole_request(serve, app: App) -> None:
    a = serve(app)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        get(session(a, timeout=1.5), f"{a.url}/x?api_key=s3cr3t")
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 2.0, elapsed
    assert isinstance(info.value, requests.exceptions.Timeout)
    assert str(info.value) == f"the request to {a.url} did not complete within 1.5s (request_timeout)"


def test_deadline_over_tls(serve, tls, cert) -> None:
    a = serve(drip_body, tls)
    s = session(a, timeout=1.0)
    s.verify = cert[0]
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        get(s, f"{a.url}/x")
    assert 1.0 <= time.monotonic() - started < 1.5


def test_deadline_during_a_dripped_tls_handshake() -> None:
    """A TLS record header, then one byte every 0.3 s: the handshake ends at the deadline."""
    listener = socket.create_server(("127.0.0.1", 0))
    port, stop = listener.getsockname()[1], threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"\x16\x03\x03\x40\x00")
            while not stop.wait(0.3):
                try:
                    conn.sendall(b"\x00")
                except OSError:
                    return

    thread = threading.Thread(target=drip)
    thread.start()
    try:
        s = GuardedSession(f"https://127.0.0.1:{port}", Limits(1.0, MB))
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            get(s, f"https://127.0.0.1:{port}/x")
        assert 1.0 <= time.monotonic() - started < 1.5
    finally:
        stop.set()
        listener.close()
        thread.join(3)


def test_deadline_spans_redirect_hops(serve) -> None:
    def slow_hop(req: Req, conn: socket.socket) -> bool:
        req.stop.wait(0.4)
        return reply(conn, 302, headers={"Location": "/again"})

    a = serve(slow_hop)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        get(session(a, timeout=1.0), f"{a.url}/x")
    assert time.monotonic() - started < 1.5


def test_session_still_works_after_a_deadline(serve) -> None:
    a = serve(routes({"/drip": drip_body, "/ok": ok}))
    s = session(a, timeout=1.0)
    with pytest.raises(DeadlineExceeded):
        get(s, f"{a.url}/drip")
    assert get(s, f"{a.url}/ok").status_code == 200


# --- body size: bombs and endless bodies ---------------------------------------------------------


def bomb(kind: str, compressed_bytes: int = 6 * MB) -> bytes:
    """A deflate stream of ~1000x zeros: one full-flushed segment repeated (it refers to nothing before)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(bytes(16 * MB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    body = segment * (compressed_bytes // len(segment))
    head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" if kind == "gzip" else b"\x78\x9c"
    return head + body


def endless(req: Req, conn: socket.socket) -> bool:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + bytes(0x10000) + b"\r\n"
    while True:
        conn.sendall(chunk)


@pytest.mark.parametrize("kind", ["gzip", "deflate", "endless"])
def test_body_limit_with_bounded_memory(serve, kind: str) -> None:
    if kind == "endless":
        app: App = endless
    else:
        payload = bomb(kind)
        assert len(payload) > 6 * MB - 100_000

        def app(req: Req, conn: socket.socket) -> bool:
            return reply(conn, 200, payload, {"Content-Encoding": kind})

    a = serve(app)
    limit = 16 * MB
    s = session(a, timeout=5, max_bytes=limit)
    tracemalloc.start()
    try:
        started = time.monotonic()
        expected = f"^the response from {a.url} is larger than 16 MB after decompression$"
        with pytest.raises(BodyTooLarge, match=expected):
            get(s, f"{a.url}/x")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3
    assert peak < limit * 1.2 + 2 * MB, peak / MB  # the bytearray grows by 1/8 steps


def test_declared_length_over_the_limit_fails_before_reading(serve) -> None:
    def huge(req: Req, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n")
        req.stop.wait(2)
        return False

    a = serve(huge)
    started = time.monotonic()
    with pytest.raises(BodyTooLarge):
        get(session(a, max_bytes=MB), f"{a.url}/x")
    assert time.monotonic() - started < 1


def test_head_with_a_large_content_length_is_fine(serve) -> None:
    def head(req: Req, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n")
        return True

    a = serve(head)
    s = session(a, max_bytes=MB)
    assert get(s, f"{a.url}/x", "HEAD").content == b""
    assert get(s, f"{a.url}/y", "HEAD").status_code == 200 and len({r.client_port for r in a.log}) == 1


def test_body_exactly_at_the_limit_is_read(serve) -> None:
    a = serve(lambda r, c: reply(c, 200, bytes(MB), {"Content-Encoding": "identity"}))
    assert len(get(session(a, max_bytes=MB), f"{a.url}/x").content) == MB


def _child(code: str, *args: str) -> dict:
    script = textwrap.dedent(code)
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=30,
                         cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_gzip_bomb_peak_rss_in_a_subprocess(serve) -> None:
    payload = bomb("gzip")
    a = serve(lambda r, c: reply(c, 200, payload, {"Content-Encoding": "gzip"}) if r.path == "/bomb"
              else ok(r, c))
    result = _child("""
        import json, sys, requests
        from tap_restspec.http.session import GuardedSession, Limits, BodyTooLarge
        def peak_kb():  # VmHWM: this process's own peak RSS (ru_maxrss starts at the parent's)
            return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
        url = sys.argv[1]
        s = GuardedSession(url, Limits(10, 64 * 2**20))
        s.send(s.prepare_request(requests.Request("GET", url + "/warm")))
        before = peak_kb()
        try:
            s.send(s.prepare_request(requests.Request("GET", url + "/bomb")))
        except BodyTooLarge as exc:
            message = str(exc)
        print(json.dumps({"growth_mb": (peak_kb() - before) / 1024, "message": message}))
    """, a.url)
    assert "larger than 64 MB after decompression" in result["message"]
    assert 32 < result["growth_mb"] < 64 * 1.5, result


def test_a_body_that_does_not_fit_in_memory_is_an_error(serve) -> None:
    big = bytes(300 * MB)
    a = serve(lambda r, c: reply(c, 200, big) if r.path == "/big" else reply(c, 200, b"ok"))
    result = _child("""
        import json, resource, sys, requests
        from tap_restspec.http.session import GuardedSession, Limits, BodyMemoryError
        url = sys.argv[1]
        s = GuardedSession(url, Limits(20, 2**30))
        s.send(s.prepare_request(requests.Request("GET", url + "/warm")))
        vm = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + 150 * 2**20, resource.RLIM_INFINITY))
        try:
            s.send(s.prepare_request(requests.Request("GET", url + "/big")))
            print(json.dumps({"error": None}))
        except BodyMemoryError as exc:
            print(json.dumps({"error": str(exc)}))
    """, a.url)
    assert result["error"] and result["error"].startswith(f"the response from {a.url} does not fit in memory")


def test_memory_error_while_reading_becomes_an_error(serve, monkeypatch) -> None:
    a = serve(ok)
    s = session(a)

    def stream(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("urllib3.response.HTTPResponse.stream", stream)
    with pytest.raises(BodyMemoryError, match=rf"^the response from {a.url} does not fit in memory"):
        get(s, f"{a.url}/x")


def test_limits_are_validated() -> None:
    for bad in ((0, 1), (-1, 1), (float("nan"), 1), (1e20, 1), (1, 0)):
        with pytest.raises(ValueError):
            Limits(*bad)
    with pytest.raises(ValueError):
        Limits(1, 1, -1)
    fatal = (BodyTooLarge, BodyMemoryError, OriginRefused, RedirectRefused, UnfollowedRedirect, UnsafeURL)
    for kind in fatal:
        assert issubclass(kind, StreamError) and not issubclass(kind, requests.RequestException)
    assert issubclass(DeadlineExceeded, requests.exceptions.Timeout)
