"""SpecStream: the glue between a bound spec and the SDK's RESTStream.

What the SDK asks of a stream (its URL, authenticator, session, schema, state and sync) is
answered here from the spec; the sync itself is the engine's (`sync/`), to which a stream is
a `sync.host.UnitHost` with a `Plan`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import chain
from typing import TYPE_CHECKING, Any

import requests
from singer_sdk.mapper import RemoveRecordTransform
from singer_sdk.singerlib import ActivateVersionMessage
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.auth import entries
from tap_restspec.auth.base import BuildContext
from tap_restspec.config.binding import Binding
from tap_restspec.config.settings import Settings
from tap_restspec.extract.passes import signature
from tap_restspec.extract.records import Extractor
from tap_restspec.http.client import Client, Sending, SkippedAnswer
from tap_restspec.http.origin import origin_of
from tap_restspec.http.pacing import PACER
from tap_restspec.http.retry import RetryPolicy
from tap_restspec.http.session import GuardedSession, Limits
from tap_restspec.output.emit import Emitter
from tap_restspec.output.inference import settle
from tap_restspec.output.schema import record_schema, with_keys
from tap_restspec.output.signature import from_signature
from tap_restspec.output.writer import BufferedWriter
from tap_restspec.sync.host import Plan
from tap_restspec.sync.runs import StreamRun, TapRun
from tap_restspec.sync.sample import sampled_records
from tap_restspec.sync.share import contexts_here
from tap_restspec.sync.unit import run_unit, unit_pages

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

TYPES = "types"  # the state's record of the types each stream sent: {stream: {property: signature}}
MAX_REMEMBERED = 1600  # properties per stream (PostgreSQL's limit of columns per table)


class SpecStream(RESTStream[Any]):
    """A stream whose requests, pages, records, schema and bookmarks all come from a spec."""

    def __init__(
        self,
        *,
        tap: Tap,
        binding: Binding,
        settings: Settings,
        shared: TapRun,
        catalog_schema: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        spec = binding.spec
        self.spec = spec
        self.binding = binding
        self.settings = settings
        self.tap = tap
        self.plan = Plan(binding, settings, now or datetime.now(timezone.utc))
        self.run = StreamRun(shared)
        self.parent: SpecStream | None = None
        self.children: list[SpecStream] = []
        self._emitter: Emitter | None = None
        self._schema_lock = threading.Lock()
        self._schema_sent = False
        schema, parent_fields = None, frozenset[str]()
        if spec.schema is not None:  # a custom schema wins over any catalog's
            schema, parent_fields = record_schema(spec.schema, spec.content, spec.explode)
        self.extractor = Extractor(spec.content, spec.explode, parent_fields)
        self.fixed_schema = spec.schema is not None
        self._catalog_schema = None if self.fixed_schema else catalog_schema
        self._record_schema = schema and self._loadable(schema)  # None: made when first needed
        super().__init__(tap=tap, name=spec.name, path=display_path(spec), http_method=spec.request.method)
        self.primary_keys = list(spec.primary_keys)
        self.replication_key = spec.replication_key
        self.payload_as_json = spec.request.json_body
        base = self.plan.base_for(binding.values)
        sending = Sending(
            limits=Limits(settings.timeout, settings.max_bytes),
            policy=RetryPolicy(settings.max_retries, settings.max_wait),
            pacer=PACER,
            stop=shared.stop,
            delay=spec.pagination.delay_ms / 1000,
            slots=shared.slots,
            skips=spec.on_http_error.skips if spec.on_http_error else None,
        )
        self.client = Client(f"stream {spec.name}", origin_of(base), sending)
        context = BuildContext(
            spec.name,
            base,
            settings.timeout,
            settings.max_retries,
            settings.max_wait,
            settings.max_bytes,
            stop=sending.stop,
        )
        self._authenticator = entries.build(binding.entry, spec, binding.given, context)

    # --- the SDK's view ---------------------------------------------------------------------

    @property
    def url_base(self) -> str:
        """The spec's host, filled in (the `base_url` setting replaces its origin)."""
        return self.plan.base_for(self.binding.values)

    @property
    def is_sorted(self) -> bool:
        """Only when the spec's singer block says so."""
        return self.spec.is_sorted

    @property
    def timeout(self) -> int:
        """The `request_timeout` setting (the whole request; see http/session.py)."""
        return int(self.settings.timeout)

    @property
    def authenticator(self) -> Any:
        """Auth from the spec's authSpec (headers with placeholders need none)."""
        return self._authenticator

    @property
    def requests_session(self) -> GuardedSession:
        """The guarded session: one origin, a whole-request deadline, a size limit."""
        return self.client.session

    @property
    def replication_method(self) -> str:
        """INCREMENTAL for windowed streams and replication keys; else FULL_TABLE."""
        if self.forced_replication_method:
            return str(self.forced_replication_method)
        return "INCREMENTAL" if self.spec.incremental else "FULL_TABLE"

    @property
    def emit_activate_version_messages(self) -> bool:
        """Never the SDK's own (before the first record); the runner emits one after the last page."""
        return False

    @property
    def partitions(self) -> list[dict[str, Any]] | None:
        """The list partitions from `params` (a JSON array for a value); None when there are none."""
        return [dict(p) for p in self.binding.partitions] if self.binding.partitioned else None

    @property
    def stream_maps(self) -> list[Any]:
        """The mapper's current maps: they are rebuilt when an inferred schema widens."""
        return self.tap.mapper.stream_maps[self.name]

    @property
    def schema(self) -> dict[str, Any]:
        """The custom schema, the catalog's, else one inferred from the first page of the run
        (both start from the types the state remembers).
        """
        if self._record_schema is None:
            remembered = self.remembered
            if self._catalog_schema is not None:
                base = settle(self._catalog_schema, remembered, start=True)
            else:
                base = self._infer_schema(remembered)
            self._record_schema = self._loadable(base, remembered)
        return self._record_schema

    @property
    def sent_schema(self) -> dict[str, Any]:
        """The schema as SCHEMA messages carry it: without the properties the catalog deselects."""
        schema, dropped = self.schema, deselected(self)
        if not dropped:
            return schema
        props = schema.get("properties") or {}
        return {**schema, "properties": {k: v for k, v in props.items() if k not in dropped}}

    @property
    def remembered(self) -> dict[str, dict[str, Any]]:
        """The types this stream sent in earlier runs, from the state (see output/emit.py)."""
        state: dict[str, Any] = self.tap.state  # type: ignore[assignment]  # more than bookmarks
        kept = state.get(TYPES)
        mine = kept.get(self.name) if isinstance(kept, dict) else None
        if not isinstance(mine, dict):
            return {}
        found = {k: from_signature(v) for k, v in mine.items() if isinstance(v, str)}
        return {k: v for k, v in found.items() if v is not None}

    def remember(self, types: dict[str, str]) -> None:
        """Keep the types sent in the state, for the next run."""
        state: dict[str, Any] = self.tap.state  # type: ignore[assignment]
        with self.run.state_lock:
            kept = state.setdefault(TYPES, {})
            mine = {**(kept.get(self.name) or {}), **types}
            kept[self.name] = dict(list(mine.items())[:MAX_REMEMBERED])

    # --- one run ------------------------------------------------------------------------------

    @property
    def emitter(self) -> Emitter:
        """The RECORD and SCHEMA writer of this run."""
        if self._emitter is None:
            writer = self.tap.message_writer
            self._emitter = Emitter(
                self.name,
                self.sent_schema if not self.fixed_schema else self.schema,
                fixed=self.fixed_schema,
                keys=self.primary_keys,
                bookmark_keys=[self.replication_key] if self.replication_key else None,
                mapper=self.tap.mapper,
                write=self.tap.write_message,
                deselected=deselected(self),
                remembered=None if self.fixed_schema else self.remembered,
                remember=None if self.fixed_schema else self.remember,
                write_record=writer.write_record if isinstance(writer, BufferedWriter) else None,
                write_records=writer.write_records if isinstance(writer, BufferedWriter) else None,
                utc=self.settings.utc_date_times,
            )
            versioned = self.replication_method == "FULL_TABLE" and self.settings.activate_versions
            self._emitter.version = self.run.version if versioned else None
        return self._emitter

    def get_replication_key_signpost(self, context: Context | None = None) -> Any:
        """None: the bookmark is kept by `record_key.KeyMax`, not the SDK's signposts, so the state
        holds no signpost per partition or child pass.
        """
        return None

    def _write_schema_message(self) -> None:
        # A private override: the SDK's `sync(context)` writes the stream's SCHEMA at the start of
        # every unit, so a stream with 1,500 child passes would send it 1,500 times (contract,
        # "Traffic"). Once a run is enough; a widened schema goes out from the emitter.
        with self._schema_lock:
            if not self._schema_sent and not self.plan.elsewhere:  # elsewhere: another shard's
                super()._write_schema_message()
                self._schema_sent = True

    def get_context_state(self, context: Context | None) -> dict[Any, Any]:
        """As the SDK's, but a partition's entry is found in one step, not by a scan of every
        partition's (`sync.runs.ContextStates`).
        """
        if not context:
            return super().get_context_state(context)
        with self.run.state_lock:
            stream_state = super().get_context_state(None)
            return self.run.states.find(stream_state.setdefault("partitions", []), context)

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Every record of one unit (without writing them)."""
        return chain.from_iterable(run_unit(self, context, write_messages=False))

    def _sync_records(  # type: ignore[override]
        self, context: Context | None = None, *, write_messages: bool = True
    ) -> Iterator[dict[str, Any]]:
        # A private override, the only one: the SDK's loop calls four private methods per record
        # (about a third of the tap's time, see bench/), cannot write a STATE per window slice, and
        # raises for INCREMENTAL streams without a record key. `sync()` still calls it, and discards
        # what it yields: written records are not yielded (a page at a time, not a resumption of
        # four generators per record); with `write_messages=False` they are.
        shared = self.run.shared
        partitioned = context is None and self.binding.partitioned
        units = contexts_here(self) if partitioned else [dict(context) if context else None]
        try:
            for unit in units:
                for page in unit_pages(self, unit, write_messages):
                    if not write_messages:
                        yield from page
        finally:  # the SDK's dry run syncs stream by stream, without our sync_all's state and flush
            if shared.submit is None:
                self.run.write_state(force=True)
            shared.tap.flush_output()

    def fetch(self, request: HTTPRequest) -> requests.Response:
        """One page: the sampled first page if this is its request, else through the client."""
        cached = self.run.take_sample(signature(request))
        if isinstance(cached, SkippedAnswer):  # the sample's answer was a status the spec skips
            raise cached
        if cached is not None:
            return cached
        prepared = self.build_prepared_request(
            method=request.method,
            url=request.url,
            params=request.encode_params(),
            headers=request.headers,
            **({"json": request.data} if self.payload_as_json else {"data": request.data}),
        )
        reauth = getattr(self._authenticator, "reauth", None)
        return self.client.send(prepared, reauth)

    def activate_version(self, version: int) -> None:
        """ACTIVATE_VERSION for each stream map that keeps records: a full table was read whole.

        Its SCHEMA first, if no unit sent it (a child whose parent had no record, a stream with no
        unit in this shard): a target knows no stream before its SCHEMA.
        """
        self._write_schema_message()
        for stream_map in self.stream_maps:
            if not isinstance(stream_map, RemoveRecordTransform):
                message = ActivateVersionMessage(stream=stream_map.stream_alias, version=version)
                self.tap.write_message(message)

    # --- schema ---------------------------------------------------------------------------------

    def _infer_schema(self, remembered: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Infer from the first pages of the run's first window, state applied (the sync reuses them)."""
        elsewhere = self.plan.elsewhere and not self.children  # another shard's: nothing to sample
        records = [] if elsewhere else sampled_records(self)
        schema, parent_fields = record_schema(None, self.spec.content, self.spec.explode, records, remembered)
        self.extractor = Extractor(self.spec.content, self.spec.explode, parent_fields)
        return schema

    def _loadable(
        self, schema: dict[str, Any], remembered: dict[str, dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """A property for every primary key, the replication key and partition or parent value."""
        names = [*self.spec.primary_keys, self.spec.replication_key or "", *self.binding.partition_names]
        if self.spec.parent is not None:
            names += [name for name, _ in self.spec.parent.values]
        return with_keys(schema, names, remembered)


def display_path(spec: Any) -> str:
    """The path for logs and metrics: the spec's path without ADF expressions."""
    text = "".join(
        p if isinstance(p, str) else f"{{{p.name}}}" if hasattr(p, "name") else "@{...}"
        for p in spec.request.path.parts
    )
    return text or "/"


def deselected(stream: SpecStream) -> frozenset[str]:
    """Top-level properties the catalog deselects."""
    mask = stream.mask
    return frozenset(
        crumb[1]
        for crumb, selected in mask.items()
        if len(crumb) == 2 and crumb[0] == "properties" and not selected
    )

