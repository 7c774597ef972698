"""Singer output: msgspec serialisation, buffered, flushed at every non-RECORD message."""

from __future__ import annotations

import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import Message, RecordMessage


class BufferedWriter(MsgSpecWriter):
    """The SDK's msgspec writer without a flush per record (STATE and SCHEMA still flush)."""

    def write_message(self, message: Message) -> None:
        """Write one message line; flush unless it is a RECORD."""
        out = sys.stdout.buffer
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()
