"""Singer output: msgspec lines, one whole message at a time from any thread, buffered between STATEs.

The SDK's msgspec writer serialises into one module-level buffer and flushes after every
message; this writer takes a lock around each message (parallel units never interleave
inside a line), gathers RECORD lines into one buffer that goes out in writes of about 1 MB
(stdout's own buffer is 8 KB: a system call every eleven records; a page's lines of 64 KB or
more go out at once, encoded in one call, without a copy into the buffer), writes everything before
each other message and flushes it, and turns a closed pipe (`tap-restspec ... | head`, a target
that died) into a quiet stop instead of an error: found at the next write, or at once by
`watch_reader`, which does not wait for one (records are gathered up to 1 MB between writes).
"""

from __future__ import annotations

import os
import select
import stat
import sys
import threading
from collections.abc import Callable
from typing import Any

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecWriter, enc_hook
from singer_sdk.singerlib import Message, RecordMessage

# The SDK's settings, in an encoder of our own: the SDK's shares one buffer across threads.
_ENCODER = msgspec.json.Encoder(enc_hook=enc_hook, decimal_format="number")
WRITE_AT = 1 << 20  # bytes of RECORD lines gathered before one write
WRITE_PAGE_AT = 1 << 16  # a page's RECORD lines this long are written at once, not gathered


def encode(value: Any) -> bytes:
    """`value` as the writer writes it in a message (JSON)."""
    return _ENCODER.encode(value)


class BufferedWriter(MsgSpecWriter):
    """Thread-safe msgspec writer; on a closed pipe it sets `closed`, calls `on_close` and drops
    further messages.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.closed = False  # the reader has gone (set under the lock)
        self.on_close: Callable[[], None] | None = None  # the tap's stop
        self._pending = bytearray()  # whole lines not yet written, under the lock

    def write_message(self, message: Message) -> None:
        """Add one message line; write what is gathered unless it is a RECORD and there is little."""
        data = message.to_dict()
        with self.lock:
            if self.closed:
                return
            pending = self._pending
            _ENCODER.encode_into(data, pending, -1)
            pending.extend(b"\n")
            if len(pending) >= WRITE_AT or not isinstance(message, RecordMessage):
                self._write()

    def write_record(self, head: bytes, record: dict[str, Any], tail: bytes) -> None:
        """Add one RECORD line: `head`, the record as JSON, `tail` (output/emit.py makes them once per
        page; the same bytes as `write_message(RecordMessage(...))`, without the message object).
        """
        with self.lock:
            if self.closed:
                return
            pending = self._pending
            pending += head
            _ENCODER.encode_into(record, pending, -1)
            pending += tail
            if len(pending) >= WRITE_AT:
                self._write()

    def write_records(self, head: bytes, records: list[dict[str, Any]], tail: bytes) -> None:
        """`write_record` for each of a page's records, encoded in one call: msgspec's JSON holds no
        raw newline (strings escape it, no whitespace is written), so each newline between the
        encoded records is where one RECORD line ends and the next begins.
        """
        if not records:
            return
        lines = _ENCODER.encode_lines(records).replace(b"\n", tail + head)  # a head too many at the end
        page = memoryview(lines)[: len(lines) - len(head)]
        with self.lock:
            if self.closed:
                return
            self._pending += head
            if len(page) >= WRITE_PAGE_AT:  # written as it is, after what was gathered: no copy
                self._write(page)
                return
            self._pending += page
            if len(self._pending) >= WRITE_AT:
                self._write()

    def flush(self) -> None:
        """Write and flush what is gathered (at the end of a run)."""
        with self.lock:
            if not self.closed:
                self._write()

    def _write(self, more: memoryview | None = None) -> None:
        """Under the lock: every gathered line, and `more`, to stdout, flushed."""
        try:
            out = sys.stdout.buffer
            out.write(self._pending)
            if more is not None:
                out.write(more)
            out.flush()
        except (BrokenPipeError, ValueError):
            self._close()
        finally:
            self._pending.clear()

    def _close(self) -> None:
        """The reader has gone: stop writing, keep Python's exit flush from complaining, and say so."""
        self.closed = True
        quiet_stdout()
        if self.on_close is not None:
            self.on_close()

    def watch_reader(self) -> Callable[[], None]:
        """Close as soon as stdout's reader goes, write or not; returns the undo (stop watching).

        Only a pipe or a socket is watched: its write end reports an error (POLLERR, POLLHUP)
        once the other end is closed; a file or a terminal never closes that way.
        """
        try:
            fd = sys.stdout.fileno()
            mode = os.fstat(fd).st_mode
        except (AttributeError, OSError, ValueError):
            return lambda: None
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
            return lambda: None
        done = threading.Event()

        def watch() -> None:
            poller = select.poll()
            poller.register(fd, 0)  # no events asked: only the error and hang-up a closed reader gives
            while not done.is_set():
                if poller.poll(250):
                    with self.lock:
                        if not self.closed and not done.is_set():
                            self._close()
                    return

        threading.Thread(target=watch, name="output-watch", daemon=True).start()
        return done.set  # the thread ends at its next poll, and closes nothing after this


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's exit flush into a closed pipe says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
