"""Singer output: msgspec lines, one whole message at a time from any thread, buffered between STATEs.

The SDK's msgspec writer serialises into one module-level buffer and flushes after every
message; this writer takes a lock around each message (parallel units never interleave
inside a line), flushes only at non-RECORD messages, and turns a closed pipe
(`tap-restspec ... | head`) into a quiet stop instead of an error.
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


class BufferedWriter(MsgSpecWriter):
    """Thread-safe msgspec writer; on a closed pipe it sets `closed` and drops further messages."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self._line = bytearray(256)  # reused under the lock: no allocation per message

    def write_message(self, message: Message) -> None:
        """Write one message line; flush unless it is a RECORD."""
        data = message.to_dict()
        with self.lock:
            if self.closed.is_set():
                return
            line = self._line
            _ENCODER.encode_into(data, line)
            line.extend(b"\n")
            try:
                out = sys.stdout.buffer
                out.write(line)
                if not isinstance(message, RecordMessage):
                    out.flush()
            except (BrokenPipeError, ValueError):
                self._close()

    def flush(self) -> None:
        """Flush what is buffered (at the end of a run)."""
        with self.lock:
            if self.closed.is_set():
                return
            try:
                sys.stdout.buffer.flush()
            except (BrokenPipeError, ValueError):
                self._close()

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
