"""Writing a stream's RECORD messages, and a new SCHEMA message whenever an inferred schema widens.

One compiled check per record says whether it fits the current schema. If it does,
it is written as it is. If not, an inferred schema is widened (new property, wider
type) and a SCHEMA message goes out first, so targets add the column and nothing is
dropped; a custom schema never changes: what it does not list is left out, with one
WARNING a run naming it. Widening only ever adds, so a record that fit an earlier
schema fits every later one: parallel passes of one stream need a lock only around
the widening itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from singer_sdk.singerlib import Message, RecordMessage, SchemaMessage

from tap_restspec.conform import compile_fits, conform, misfit
from tap_restspec.errors import StreamError
from tap_restspec.schema import widen

LOGGER = logging.getLogger("tap-restspec")


class Emitter:
    """The RECORD (and evolving SCHEMA) messages of one stream."""

    def __init__(
        self,
        name: str,
        schema: dict[str, Any],
        *,
        fixed: bool,
        keys: Sequence[str],
        bookmark_keys: list[str] | None,
        mapper: Any,
        write: Callable[[Message], None],
        deselected: frozenset[str] = frozenset(),
    ) -> None:
        self.name = name
        self.schema = schema
        self.fixed = fixed  # a custom schema: never widened
        self.keys = list(keys)
        self.bookmark_keys = bookmark_keys
        self.mapper = mapper
        self.write = write
        self.deselected = deselected
        self.version: int | None = None
        self._lock = threading.Lock()
        self._fits = compile_fits(schema)
        self._dropped: set[str] = set()

    @property
    def maps(self) -> list[Any]:
        """The stream maps in force (they are rebuilt when the schema widens)."""
        return self.mapper.stream_maps[self.name]

    def emit(self, record: dict[str, Any], extracted_at: datetime) -> None:
        """Write `record` (widening the schema first when it does not fit)."""
        if self.deselected:
            record = {k: v for k, v in record.items() if k not in self.deselected}
        if not self._fits(record):
            record = self._fit(record)
        for stream_map in self.maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                self.write(RecordMessage(stream_map.stream_alias, mapped, self.version, extracted_at))

    def _fit(self, record: dict[str, Any]) -> dict[str, Any]:
        if self.fixed:
            dropped: set[str] = set()
            record = conform(record, self.schema, dropped)
            new = dropped - self._dropped
            if new:
                self._dropped |= new
                LOGGER.warning(
                    "Stream %s: %s not in the spec's schema; left out (add them to the schema to keep them)",
                    self.name,
                    ", ".join(sorted(new)),
                )
            if not self._fits(record):  # a type the custom schema does not allow: say so, never send it
                raise StreamError(
                    f"stream {self.name}: a record does not match the spec's schema: "
                    f"{misfit(record, self.schema)}"
                )
            return record
        with self._lock:
            if not self._fits(record):
                self.schema = widen(self.schema, record)
                self._fits = compile_fits(self.schema)
                self.mapper.register_raw_stream_schema(self.name, self.schema, self.keys)
                self.write_schema()
            if not self._fits(record):  # every record sent matches the SCHEMA sent before it
                raise StreamError(
                    f"stream {self.name}: no schema describes a record: {misfit(record, self.schema)}"
                )
        return record

    def write_schema(self) -> None:
        """A SCHEMA message per stream map, with the current schema."""
        for stream_map in self.maps:
            if getattr(stream_map, "transformed_schema", None) is None:
                continue
            self.write(
                SchemaMessage(
                    stream_map.stream_alias,
                    stream_map.transformed_schema,
                    stream_map.transformed_key_properties,
                    self.bookmark_keys,
                )
            )
