"""The SDK's Tap: settings, one stream per bound spec, the run (`sync/`), signals, and `main`,
the `tap-restspec` entry point (its command line is `cli.py`).
"""

from __future__ import annotations

# isort: off
import tap_restspec.deferred  # noqa: F401  (first: singer_sdk then finds its stand-ins, see deferred.py)

# isort: on
import contextlib
import ctypes
import gc
import logging
import signal
import threading
from types import FrameType
from typing import Any, ClassVar

import click
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities

from tap_restspec import redact
from tap_restspec.config.environment import environment_config
from tap_restspec.config.files import (
    ConfigInput,
    check_catalog,
    read_catalog_file,
    read_config_files,
    read_state_file,
)
from tap_restspec.config.settings import Settings, read_settings, unknown_settings
from tap_restspec.config.settings_schema import CONFIG_SCHEMA
from tap_restspec.config.specs import bound_specs, warn_catalog_drift
from tap_restspec.errors import Interrupted, SettingsError, StreamError
from tap_restspec.http.client import StopFlag
from tap_restspec.http.deadline import abort_all
from tap_restspec.http.pacing import Slots
from tap_restspec.output.writer import BufferedWriter
from tap_restspec.stream import TYPES, SpecStream
from tap_restspec.sync.runs import TapRun
from tap_restspec.sync.scheduler import run_all

LOGGER = logging.getLogger("tap-restspec")


class TapRestSpec(Tap):
    """Singer tap for REST APIs described by Adobe Experience Platform sourceSpec files."""

    name = "tap-restspec"
    config_jsonschema = CONFIG_SCHEMA
    # No `batch`: the SDK's BATCH path bypasses the tap's writer (config/settings.py, NO_BATCH).
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        c for c in Tap.capabilities if c is not PluginCapabilities.BATCH
    ]

    def __init__(self, *, setup_mapper: bool = True, message_writer: Any = None, **kwargs: Any) -> None:
        self.stop = StopFlag()
        # Made when first needed (the SDK discovers streams, and so reads the settings, inside its
        # own __init__), declared here: the checked settings and what every stream of the run shares.
        self._settings: Settings | None = None
        self._tap_run: TapRun | None = None
        self._signal_handlers: dict[int, Any] = {}
        self._writer = message_writer or BufferedWriter()
        if isinstance(self._writer, BufferedWriter):
            self._writer.on_close = self._output_closed
        # The SDK builds the catalog (and so samples the APIs for inferred schemas) in setup_mapper,
        # before it loads the state; the mapper is set up after, so a sample reads the run's own window.
        self._early = True
        kwargs["parse_env_config"] = True  # TAP_RESTSPEC_<NAME> works with and without Meltano
        if isinstance(kwargs.get("catalog"), dict):
            check_catalog(kwargs["catalog"], "catalog")
        try:
            super().__init__(setup_mapper=setup_mapper, message_writer=self._writer, **kwargs)
        except ConfigValidationError:
            read_settings(self.config)  # our one-line messages, where we have them
            raise
        for line in unknown_settings(self.config, self.known_settings()):
            LOGGER.warning("%s", line)
        self._early = False
        if setup_mapper:
            self.setup_mapper()

    @classproperty
    def _env_var_config(cls) -> dict[str, Any]:  # noqa: N805
        """`TAP_RESTSPEC_<NAME>` variables, over the config file, as the SDK reads them; but no
        `.env` file (see `settings.environment_config`).
        """
        return environment_config({"properties": cls.known_settings()})

    @classmethod
    def known_settings(cls) -> dict[str, Any]:
        """Every setting of `--about`: the tap's and the SDK's own (stream maps, flattening)."""
        schema = {"properties": dict(cls.config_jsonschema["properties"])}
        cls.append_builtin_config(schema)
        return schema["properties"]

    def setup_mapper(self) -> None:
        """The SDK's mapper, once the state is loaded.

        The SDK registers an input catalog's schemas as they are, and sends them as the first
        SCHEMA; a stream's own schema is that catalog's with the types the state remembers
        (see output/emit.py), and target-postgres makes its columns from the first SCHEMA.
        """
        if self._early:
            return
        super().setup_mapper()
        for entry in self.input_catalog.streams if self.input_catalog is not None else ():
            stream = self.streams.get(entry.tap_stream_id)
            if isinstance(stream, SpecStream) and not stream.fixed_schema:
                self.mapper.register_raw_stream_schema(stream.name, stream.sent_schema, stream.primary_keys)

    def load_state(self, state: dict[str, Any]) -> None:
        """A Singer state object (`{"bookmarks": {...}}`), else a one-line error."""
        if (
            not isinstance(state, dict)
            or not isinstance(state.get("bookmarks", {}), dict)
            or any(not isinstance(v, dict) for v in state.get("bookmarks", {}).values())
        ):
            raise SettingsError('state: not a Singer state object (expected {"bookmarks": {...}})')
        super().load_state(state)
        if isinstance(state.get(TYPES), dict):  # the types each stream sent (the SDK keeps only bookmarks)
            kept: dict[str, Any] = self.state  # type: ignore[assignment]
            kept[TYPES] = {k: dict(v) for k, v in state[TYPES].items() if isinstance(v, dict)}

    def flush_output(self) -> None:
        """Write out the RECORD lines the writer has gathered (after a unit, at the end of a run)."""
        if isinstance(self._writer, BufferedWriter):
            self._writer.flush()

    @property
    def tap_run(self) -> TapRun:
        """What every stream of this run shares: the state lock, the request slots (`max_parallel`
        requests in flight at once, across every stream), the stop flag, the table version.
        """
        if self._tap_run is None:
            self._tap_run = TapRun(self, slots=Slots(self.settings.max_parallel), stop=self.stop)
        return self._tap_run

    @property
    def settings(self) -> Settings:
        """The checked settings."""
        if self._settings is None:
            self._settings = read_settings(self.config)
        return self._settings

    def discover_streams(self) -> list[SpecStream]:
        """One stream per spec file; every problem in every spec is reported at once."""
        redact.install()
        redact.REDACTOR.add(*self.config_secrets())
        settings = self.settings
        bindings = bound_specs(settings)
        catalog = self.input_catalog
        streams = [
            SpecStream(
                tap=self,
                binding=binding,
                settings=settings,
                shared=self.tap_run,
                catalog_schema=(
                    entry.schema.to_dict() if (entry := catalog.get_stream(binding.spec.name)) else None
                )
                if catalog
                else None,
            )
            for binding in bindings
        ]
        link_families(streams)
        if catalog is not None:
            warn_catalog_drift(catalog, [binding.spec for binding in bindings])
        return streams

    def config_secrets(self) -> list[str]:
        """The secret settings' values, as given and stripped."""
        from tap_restspec.model.spec import SECRET_SETTINGS

        values = [self.config.get(name) for name in SECRET_SETTINGS]
        return [v for value in values if isinstance(value, str) for v in (value, value.strip())]

    @property
    def signum(self) -> int | None:
        """The signal that stopped the run (SIGPIPE: its output closed), or None."""
        return self.stop.signum

    def sync_all(self) -> None:  # type: ignore[misc]  # final in the SDK; see below
        """Sync every selected stream: in parallel, with partial failures reported at the end.

        The SDK's `sync_all` (final) syncs streams one after another and stops at the first
        failure; this one runs the SDK's public `Stream.sync(context)` per unit of work, up to
        `max_parallel` at once, and turns SIGTERM/SIGINT and a closed output into a stop that
        keeps the state whole.
        """
        streams = [s for s in self.streams.values() if isinstance(s, SpecStream)]
        unwatch = self._writer.watch_reader() if isinstance(self._writer, BufferedWriter) else None
        try:
            failures = run_all(self.tap_run, streams, self.settings.max_parallel, self.stop)
        finally:
            if unwatch is not None:
                unwatch()
            self._restore_signals()
            self.flush_output()
        if self.signum is not None:
            raise Interrupted(self.signum)
        if failures:
            raise StreamError(failures)

    def halt(self, signum: int) -> None:
        """Stop the run: every wait ends and every request in flight is cut (`signum`: why)."""
        if self.stop.halt(signum):
            abort_all()

    def _setup_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the run from the tap's creation on (in the main thread only).

        The SDK's own handlers, set up by this private hook, exit 0 at once: a run stopped while
        it samples a first page or waits for a token would look like a success to a scheduler.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._signal_handlers.setdefault(sig, signal.signal(sig, self._on_signal))

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.halt(signum)

    def _restore_signals(self) -> None:
        """The handlers from before the tap (a run in a longer-lived process gives them back)."""
        if threading.current_thread() is threading.main_thread():
            for sig, old in self._signal_handlers.items():
                signal.signal(sig, old)
        self._signal_handlers.clear()

    def _output_closed(self) -> None:
        """The reader of stdout has gone (the target died, `| head` has its lines): stop."""
        if not self.stop.is_set():
            LOGGER.warning("The output closed (its reader stopped reading): stopping the run")
        self.halt(signal.SIGPIPE)

    @classmethod
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """`--config` files read with one-line errors (a missing or non-JSON file names itself)."""
        config, parse_env = read_config_files(value)
        return ConfigInput(config=config, parse_env=parse_env)

    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        about: bool = False,
        about_format: str | None = None,
        config: Any = None,
        state: Any = None,
        catalog: Any = None,
    ) -> None:
        """The sync: as the SDK's, with the state and catalog files read with one-line errors."""
        super(Tap, cls).invoke(about=about, about_format=about_format)
        try:
            state_dict = read_state_file(state) if state is not None else None
            catalog_dict = read_catalog_file(catalog) if catalog is not None else None
            if catalog_dict is not None:
                check_catalog(catalog_dict, getattr(catalog, "name", "catalog"))
        finally:  # closed at once: an error must not leave the files open (a ResourceWarning)
            for handle in (state, catalog):
                if handle is not None:
                    handle.close()
        tap = cls(
            config=config.config if config is not None else None,
            state=state_dict,
            catalog=catalog_dict,
            validate_config=True,
        )
        tap.sync_all()

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test`: the connection test (our own; the SDK's `run_connection_test` is final)."""
        if value == "disabled":
            return
        from tap_restspec.connection import connection_test

        config = ctx.params.get("config")
        tap = cls(config=config.config if config else None, validate_config=True)
        if value == "schema":
            tap.write_schemas()
        else:
            connection_test(tap)
        ctx.exit()


def link_families(streams: list[SpecStream]) -> None:
    """Each child knows its parent, each parent its children (the SDK's `child_streams` too)."""
    by_name = {s.name: s for s in streams}
    for stream in streams:
        parent_spec = stream.spec.parent
        if parent_spec is not None and parent_spec.stream in by_name:
            parent = by_name[parent_spec.stream]
            stream.parent = parent
            stream.parent_stream_type = type(parent)  # the SDK's loops leave it to its parent
            parent.children.append(stream)
            parent.child_streams.append(stream)


def main() -> None:
    """`tap-restspec`: the SDK's CLI, with user errors as plain lines and a non-zero exit."""
    from tap_restspec.cli import run

    # Every parsed page is tens of thousands of short-lived objects without cycles: collecting
    # the youngest generation every 100k allocations (not 700), with the modules loaded so far
    # frozen out of the collector's walks, saves about 15% of the CPU (bench/README.md).
    gc.set_threshold(100_000, 50, 1000)
    gc.freeze()
    return_large_blocks()
    run(TapRestSpec)


def return_large_blocks() -> None:
    """Blocks of 1 MB and more taken from and given back to the system (glibc's `mallopt`).

    glibc raises its mmap threshold to the largest block freed so far (up to 32 MB): after the
    first large STATE (11 MB at 100,000 partitions), later ones and 1 MB pages are carved from
    the heap, and what is freed there stays, per thread: 50 MB of a 184 MB peak at 100,000
    partitions (docs/scaling.md). A fixed threshold stops that. Fixing it also fixes the trim
    threshold at glibc's 128 kB, which gave back and took again the heap's top on every page:
    12-15% more CPU per record (bench/run.py, offset_small); 32 MB keeps the heap's top while
    large blocks still go back. Without glibc, nothing is done.
    """
    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD, 1 MB
        ctypes.CDLL(None).mallopt(-1, 32 << 20)  # M_TRIM_THRESHOLD, 32 MB


if __name__ == "__main__":
    main()
