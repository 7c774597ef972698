"""What the sync engine needs of a stream: the facts fixed for the run (`Plan`), and the small
Protocol of what it asks a stream to do (`UnitHost`).

`stream.SpecStream` (the SDK's stream) is the one implementation; the engine is written
against this module only, so it never imports the stream, and the SDK-facing seam sits
above the engine instead of inside a cycle with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import requests
from singer_sdk.helpers.types import Context
from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.config.binding import Binding
from tap_restspec.config.settings import Settings
from tap_restspec.extract.passes import Pass
from tap_restspec.extract.records import Extractor
from tap_restspec.extract.request import url_base
from tap_restspec.extract.window import Window
from tap_restspec.model.spec import Duration, StreamSpec
from tap_restspec.output.emit import Emitter
from tap_restspec.sync.runs import StreamRun


@dataclass(frozen=True)
class Plan:
    """A stream's facts for one run, fixed when the stream is made: its bound spec, the settings,
    and the run's `now` (every window of the run ends there).
    """

    binding: Binding
    settings: Settings
    now: datetime

    @property
    def spec(self) -> StreamSpec:
        """The parsed spec."""
        return self.binding.spec

    @property
    def name(self) -> str:
        """The stream's name."""
        return self.binding.spec.name

    @property
    def window_step(self) -> Duration | None:
        """The slice length: the `window_step` setting, else the spec's `singer.windowStep`."""
        return self.settings.window_step or self.binding.spec.window_step

    def owns(self, context: Mapping[str, Any] | None) -> bool:
        """Whether this process's shard reads the unit `context` (a unit without one: the whole stream)."""
        shard = self.settings.shard
        return shard is None or shard.owns(self.name, context)

    @property
    def elsewhere(self) -> bool:
        """A stream without partitions that another shard reads: this one emits none of it."""
        binding = self.binding
        return not binding.partitioned and binding.spec.parent is None and not self.owns(None)

    def values_for(self, context: Mapping[str, Any] | None) -> dict[str, Any]:
        """Placeholder values of one unit: the binding's, with the partition's or parent's values."""
        return {**self.binding.values, **(context or {})}

    def base_for(self, values: Mapping[str, Any]) -> str:
        """The host of one unit's requests (the `base_url` setting replaces its origin)."""
        return url_base(self.binding.host, values, self.settings.base_url)

    def pass_for(self, values: Mapping[str, Any], window: Window, extractor: Extractor) -> Pass:
        """The pass of requests for one unit's values over one window slice."""
        return Pass(self.spec, extractor, self.base_for(values), values, window, self.now)


class UnitHost(Protocol):
    """What the engine asks of a stream: its plan and family, its run, where records come from and
    go, and the SDK's own state, metrics and sync.
    """

    plan: Plan
    ABORT_AT_RECORD_COUNT: int | None  # the SDK's dry run (its test harness) caps every stream

    @property
    def parent(self) -> UnitHost | None:
        """The stream whose records start this one's passes (`singer.parent`)."""
        ...

    @property
    def children(self) -> Sequence[UnitHost]:
        """The streams that run once per record of this one."""
        ...

    @property
    def run(self) -> StreamRun:
        """The stream's state for the run."""
        ...

    @property
    def extractor(self) -> Extractor:
        """Records out of a parsed body."""
        ...

    @property
    def emitter(self) -> Emitter:
        """The RECORD and SCHEMA writer of the run."""
        ...

    @property
    def selected(self) -> bool:
        """The catalog selects the stream (its records are written)."""
        ...

    @property
    def has_selected_descendents(self) -> bool:
        """A child of the stream is selected (so the stream runs, for its children)."""
        ...

    @property
    def replication_method(self) -> str:
        """FULL_TABLE or INCREMENTAL."""
        ...

    def fetch(self, request: HTTPRequest) -> requests.Response:
        """One page's answer."""
        ...

    def get_context_state(self, context: Context | None) -> dict[Any, Any]:
        """The state of one unit (the SDK's; made on first read)."""
        ...

    def get_record_counter(self) -> Any:
        """The SDK's record count metric."""
        ...

    def get_http_request_counter(self) -> Any:
        """The SDK's request count metric."""
        ...

    def sync(self, context: Context | None = None) -> None:
        """One unit through the SDK's public entry (SCHEMA, then the record loop)."""
        ...

    def activate_version(self, version: int) -> None:
        """Write ACTIVATE_VERSION: a full table was read whole."""
        ...
