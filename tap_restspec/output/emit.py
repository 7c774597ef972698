"""Writing a stream's RECORD messages, and a new SCHEMA message whenever an inferred schema widens.

One compiled check per record says whether it fits the current schema. If it does,
it is written as it is. If not, an inferred schema is widened (new property, wider
type) and a SCHEMA message goes out first, so targets add the column and nothing is
dropped; a page is widened once for all its records (`fit_page`), so a page sends at
most one SCHEMA. A custom schema never changes: what it does not list is left out,
with one WARNING a run naming it. Widening only ever adds, so a record that fit an
earlier schema fits every later one: parallel passes of one stream need a lock only
around the widening itself.

Each widening is checked against the column the shipped loader made for the property
(`columns.py`): where target-postgres would store values changed without a word (a
number in a text column, a fraction in a bigint one) the stream stops with one line,
before any such record goes out; where it will refuse the change, one WARNING says what
to do. The types sent are remembered (`remember`, into the state), so the next run
starts from them and a property's column never changes between runs either.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib import Message, RecordMessage, SchemaMessage

from tap_restspec.errors import StreamError
from tap_restspec.output.columns import column, verdict
from tap_restspec.output.conform import compile_fits, compile_page_fits, conform, misfit
from tap_restspec.output.inference import widen_page
from tap_restspec.output.signature import signature
from tap_restspec.output.utc import compile_utc
from tap_restspec.output.writer import encode

LOGGER = logging.getLogger("tap-restspec")
_NONE = object()  # no page yet
WriteRecord = Callable[[bytes, dict[str, Any], bytes], None]  # head, record, tail: one RECORD line
WriteRecords = Callable[[bytes, list[dict[str, Any]], bytes], None]  # a RECORD line for each record


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
        remembered: Mapping[str, dict[str, Any]] | None = None,
        remember: Callable[[dict[str, str]], None] | None = None,
        write_record: WriteRecord | None = None,
        write_records: WriteRecords | None = None,
        utc: bool = False,
    ) -> None:
        self.name = name
        self.schema = schema  # as sent: without deselected properties (records lose them too)
        self.fixed = fixed  # a custom schema: never widened
        self.keys = list(keys)
        self.bookmark_keys = bookmark_keys
        self.mapper = mapper
        self.write = write
        self.deselected = deselected
        self.version: int | None = None
        self.remembered = dict(remembered or {})  # each property's types in earlier runs
        self._remember = remember
        self._lock = threading.Lock()
        self._fits = compile_fits(schema)
        self._fits_page = compile_page_fits(schema)
        self.utc = utc  # date-time strings in UTC (output/utc.py)
        self._to_utc = compile_utc(schema) if utc else None
        self._dropped: set[str] = set()
        self._columns = {name: column(sub) for name, sub in self.remembered.items()}
        self._warned: set[tuple[str, str]] = set()
        self._write_record = write_record
        self._write_records = write_records
        self._head = self._record_head() if write_record is not None else None
        self._tail: tuple[Any, int | None, bytes] = (_NONE, None, b"")  # extracted_at, version, tail
        if not fixed:  # the SCHEMA the run begins with: the first widening of what was remembered
            self._review(self.remembered, schema.get("properties") or {})
            self._keep()

    @property
    def maps(self) -> list[Any]:
        """The stream maps in force (they are rebuilt when the schema widens)."""
        return self.mapper.stream_maps[self.name]

    def fit_page(self, records: Iterable[dict[str, Any]]) -> None:
        """Widen an inferred schema once for every record of a page that does not fit it
        (then `emit(record, ..., fitted=True)` need not check them again).
        """
        if self.fixed:
            return
        visible = list(map(self._visible, records)) if self.deselected else records
        if self._fits_page(visible):
            return
        fits = self._fits
        misfits = [record for record in visible if not fits(record)]
        if misfits:
            with self._lock:
                misfits = [record for record in misfits if not self._fits(record)]
                if misfits:
                    self._widen(misfits)

    def emit(self, record: dict[str, Any], extracted_at: datetime, *, fitted: bool = False) -> None:
        """Write `record` (widening the schema first when it does not fit; `fitted`: `fit_page`
        has seen it, and schemas only widen).
        """
        if self.deselected:
            record = self._visible(record)
        if (self.fixed or not fitted) and not self._fits(record):
            record = self._fit(record)
        if self._to_utc is not None:
            record = self._to_utc(record)
        if self._head is not None:
            self._write_record(self._head, record, self._record_tail(extracted_at))  # type: ignore[misc]
            return
        for stream_map in self.maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                self.write(RecordMessage(stream_map.stream_alias, mapped, self.version, extracted_at))

    def emit_page(self, records: list[dict[str, Any]], extracted_at: datetime) -> None:
        """`emit(record, extracted_at, fitted=True)` for each of a page's records (after `fit_page`):
        one check of a custom schema and one write for the whole page when it can.
        """
        write = self._write_records
        if (
            self._head is None
            or write is None
            or self.deselected
            or (self.fixed and not self._fits_page(records))
        ):
            for record in records:
                self.emit(record, extracted_at, fitted=True)
            return
        if self._to_utc is not None:
            records = list(map(self._to_utc, records))
        write(self._head, records, self._record_tail(extracted_at))

    def _record_tail(self, extracted_at: datetime) -> bytes:
        """The end of each RECORD line of the page taken at `extracted_at` (made once per page)."""
        at, version, tail = self._tail
        if at is not extracted_at or version != self.version:  # a new page
            version = self.version
            at, version, tail = self._tail = (extracted_at, version, record_tail(version, extracted_at))
        return tail

    def _record_head(self) -> bytes | None:
        """The start of each RECORD line, when the stream's one map passes records on as they are
        (no stream maps, no flattening: the maps never change during a run but for the schema);
        None: each record goes through the maps and a RecordMessage.
        """
        maps = self.maps
        if len(maps) != 1 or type(maps[0]) is not SameRecordTransform or maps[0].flattening_enabled:
            return None
        return record_head(maps[0].stream_alias)

    def _visible(self, record: dict[str, Any]) -> dict[str, Any]:
        deselected = self.deselected
        return {k: v for k, v in record.items() if k not in deselected} if deselected else record

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
                self._widen([record])
            if not self._fits(record):  # every record sent matches the SCHEMA sent before it
                raise StreamError(
                    f"stream {self.name}: no schema describes a record: {misfit(record, self.schema)}"
                )
        return record

    def _widen(self, records: list[dict[str, Any]]) -> None:
        """Under the lock: one wider schema for `records`, checked, then sent and remembered."""
        schema = widen_page(self.schema, records, self.remembered)
        if schema is self.schema:
            return
        self._review(self.schema.get("properties") or {}, schema.get("properties") or {})
        self.schema = schema
        self._fits = compile_fits(schema)
        self._fits_page = compile_page_fits(schema)
        self._to_utc = compile_utc(schema) if self.utc else None
        self.mapper.register_raw_stream_schema(self.name, schema, self.keys)
        self.write_schema()
        self._keep()

    def _review(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        """Stop before target-postgres would change a value without a word; warn where it will refuse."""
        silent = []
        for name, sub in after.items():
            was = before.get(name)
            if was is not None and signature(was) == signature(sub):
                continue
            made = self._columns.setdefault(name, column(sub))  # a new property's column is made now
            found = verdict(made, sub)
            if found == "ok":
                continue
            now = signature(sub)
            change = f"is {now}" if was is None else f"was typed {signature(was)} and now {now}"
            if found == "silent" and name not in self.keys and name not in (self.bookmark_keys or ()):
                silent.append(f"field {name!r} {change}: target-postgres would store {_changed(made)}")
            elif (name, now) not in self._warned:
                self._warned.add((name, now))
                LOGGER.warning("Stream %s: %s", self.name, _advice(name, change, made, found))
        if silent:
            raise StreamError(
                f"stream {self.name}: {'; '.join(silent)}, without a word, so the stream stops: declare "
                "the field's type in the spec's custom schema (\"schema\")"
            )

    def _keep(self) -> None:
        """Remember the types sent, for the next run."""
        if self._remember is not None:
            self._remember({k: signature(v) for k, v in (self.schema.get("properties") or {}).items()})

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


def record_head(stream: str) -> bytes:
    """A RECORD line up to its record: `{"type":"RECORD","stream":"items","record":`."""
    return b'{"type":"RECORD","stream":' + encode(stream) + b',"record":'


def record_tail(version: int | None, extracted_at: datetime | None) -> bytes:
    """A RECORD line after its record, as the SDK's RecordMessage writes it: version and time."""
    tail = b',"version":' + encode(version) if version is not None else b""
    if extracted_at is not None:
        tail += b',"time_extracted":' + encode(extracted_at.astimezone(timezone.utc))
    return tail + b"}\n"


def _changed(made: str) -> str:
    """What target-postgres does to a value that a column made as `made` does not take."""
    if made.startswith("bigint"):
        return f"fractions rounded in the {made} column it made for it"
    return f"those values as text in the {made} column it made for it"


def _advice(name: str, change: str, made: str, found: str) -> str:
    """The WARNING for a change target-postgres refuses, or for a key it stores changed."""
    if found == "silent":
        return f"key {name!r} {change}: target-postgres stores {_changed(made)}"
    return (
        f"field {name!r} {change}: target-postgres keeps the {made} column it made for it and will "
        "stop on these records: change or drop that column in PostgreSQL, or declare the field's "
        'type in the spec\'s custom schema ("schema")'
    )
