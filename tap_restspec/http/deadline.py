"""The whole-request deadline: sockets of the request in flight, shut down when it is due.

Connections register their socket (a duplicate file descriptor, so a closed one is never
reused by mistake) with the `Watch` of the request the current thread is sending, on
connect and again on each request over a kept-alive connection; one watchdog thread for
the process shuts the sockets of each watch down at its deadline, and `abort_all` does it
at once for every request in flight (SIGTERM, a closed output). The same connections read
an answer past interim `1xx` answers (`_Response`).
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()  # the Watch of this thread's request in flight
MAX_INTERIM = 100  # interim answers read before one request's final answer


class Watch:
    """Sockets of one request in flight (duplicated fds, so no closed fd is ever reused)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self.fired = False
        self.done = False

    def add(self, sock: socket.socket | None) -> None:
        """Watch one more socket of this request (shut at once if the watch has fired)."""
        if sock is None:
            return
        try:
            dup = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:
            return
        with self._lock:
            if self.done:
                dup.close()
                return
            self._socks.append(dup)
        if self.fired:
            self.fire()

    def fire(self) -> None:
        """Shut down the request's sockets: its reads and writes fail at once."""
        with self._lock:
            if self.done:
                return
            self.fired = True
            for sock in self._socks:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """The request is over: close the duplicated descriptors."""
        with self._lock:
            self.done = True
            socks, self._socks = self._socks, []
        for sock in socks:
            sock.close()


class Watchdog:
    """One thread for the process that fires each armed `Watch` at its deadline."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, watch: Watch) -> None:
        """Fire `watch` at `deadline` (monotonic seconds)."""
        with self._cond:
            if len(self._heap) > 256 and len(self._heap) > 4 * threading.active_count():
                self._heap = [entry for entry in self._heap if not entry[2].done]  # disarmed ones
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline, next(self._seq), watch))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="http-watchdog", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)[2].fire()

    def fire_all(self) -> None:
        """Fire every watch still armed."""
        with self._cond:
            watches = [entry[2] for entry in self._heap if not entry[2].done]
        for watch in watches:
            watch.fire()


_WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=lambda: Watchdog.__init__(_WATCHDOG))  # a fresh one in a child


def abort_all() -> None:
    """Cut every request in flight at once (SIGTERM): each fails as at its deadline."""
    _WATCHDOG.fire_all()


def _watched(sock: socket.socket | None) -> None:
    watch = getattr(_local, "watch", None)
    if watch is not None:
        watch.add(sock)


class InterimOnly(http.client.RemoteDisconnected):
    """The server closed the connection after an interim `1xx` answer, before the final one."""


class _Response(http.client.HTTPResponse):
    """An answer read past interim `1xx` answers, as curl and browsers read it.

    http.client skips `100 Continue` only: a `102 Processing` or `103 Early Hints` came back
    as the final answer, with no body, and the real answer after it was never read (the tap
    took it for an empty last page). Here every interim answer's head is read and dropped,
    so the final answer is the one read; a connection closed after an interim answer is a
    dropped connection (retried, then an error), never an answer. `101` is read past too:
    the tap never asks to switch protocols.
    """

    def _read_status(self) -> tuple[str, int, str]:
        interim = 0
        for _ in range(MAX_INTERIM + 1):
            try:
                version, status, reason = super()._read_status()  # type: ignore[misc]
            except http.client.RemoteDisconnected:
                if not interim:
                    raise
                raise InterimOnly(
                    f"the connection closed after an interim HTTP {interim} answer, with no final answer"
                ) from None
            if not 100 <= status < 200:
                return version, status, reason
            interim = status
            http.client.parse_headers(self.fp)  # the interim head: dropped
        raise http.client.HTTPException(f"more than {MAX_INTERIM} interim 1xx answers before a final one")


class _HTTPConnection(HTTPConnection):
    response_class = _Response

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watched(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self.sock)
        super().request(*args, **kwargs)


class _HTTPSConnection(HTTPSConnection):
    response_class = _Response

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watched(sock)  # a CONNECT tunnel or a handshake can be dripped too
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watched(self.sock)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class Adapter(HTTPAdapter):
    """An adapter whose connections register their sockets with the request's watchdog."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The pool manager, with the watched connection pools."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """A proxy's pool manager, watched too (SOCKS aside: its sockets are not ours)."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


@contextlib.contextmanager
def watching(deadline: float) -> Iterator[Watch]:
    """The watch of one request sent by this thread, armed until `deadline` (monotonic)."""
    watch = Watch()
    previous, _local.watch = getattr(_local, "watch", None), watch
    _WATCHDOG.arm(deadline, watch)
    try:
        yield watch
    finally:
        _local.watch = previous
        watch.close()
