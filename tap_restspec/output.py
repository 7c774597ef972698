"""Singer output: msgspec lines, one whole message at a time from any thread, buffered between STATEs.

The SDK's msgspec writer serialises into one module-level buffer and flushes after every
message; this writer takes a lock around each message (parallel units never interleave
inside a line), gathers RECORD lines into one buffer that goes out in writes of about 1 MB
(stdout's own buffer is 8 KB: a system call every eleven records), writes everything before
each other message and flushes it, and turns a closed pipe (`tap-restspec ... | head`) into
a quiet stop instead of an error.
"""

from __future__ import annotations

import os
import sys
import threading

import msgspec
from singer_sdk.contrib.msgspec import MsgSpecWriter, enc_hook
from singer_sdk.singerlib import Message, RecordMessage

# The SDK's settings, in an encoder of our own: the SDK's shares one buffer across threads.
_ENCODER = msgspec.json.Encoder(enc_hook=enc_hook, decimal_format="number")
WRITE_AT = 1 << 20  # bytes of RECORD lines gathered before one write


class BufferedWriter(MsgSpecWriter):
    """Thread-safe msgspec writer; on a closed pipe it sets `closed` and drops further messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self._pending = bytearray()  # whole lines not yet written, under the lock

    def write_message(self, message: Message) -> None:
        """Add one message line; write what is gathered unless it is a RECORD and there is little."""
        data = message.to_dict()
        with self.lock:
            if self.closed.is_set():
                return
            pending = self._pending
            _ENCODER.encode_into(data, pending, -1)
            pending.extend(b"\n")
            if len(pending) >= WRITE_AT or not isinstance(message, RecordMessage):
                self._write()

    def flush(self) -> None:
        """Write and flush what is gathered (at the end of a run)."""
        with self.lock:
            if not self.closed.is_set():
                self._write()

    def _write(self) -> None:
        """Under the lock: every gathered line to stdout, flushed."""
        try:
            out = sys.stdout.buffer
            out.write(self._pending)
            out.flush()
        except (BrokenPipeError, ValueError):
            self._close()
        finally:
            self._pending.clear()

    def _close(self) -> None:
        """The reader has gone: stop writing, and keep Python's exit flush from complaining."""
        self.closed.set()
        quiet_stdout()


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's exit flush into a closed pipe says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
