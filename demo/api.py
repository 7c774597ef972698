"""``DemoAPI``: the demo's one object, a local server that answers as every vendor of
``demo.registry`` does (Mailchimp, Zendesk, Segment, HubSpot, Help Scout), with their data.

Python: ``with DemoAPI(seed=1) as api: ... api.url ... api.tick() ...``. Command line:
``python -m demo --port 8765`` (``demo.cli``). It puts together the HTTP server
(``demo.core``), the store (``demo.data.store``), the vendors and their router
(``demo.rest``) and the admin endpoints (``demo.admin``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from demo import admin
from demo.core.messages import Reply, Request
from demo.core.server import Fault, FaultQueue, HttpServer, RequestLog
from demo.data.store import Changes, Store
from demo.registry import VENDORS
from demo.rest.router import Router
from demo.rest.vendor import Vendor

V = TypeVar("V", bound=Vendor)


class DemoAPI:
    """A local server that answers as the vendors do, from synthetic, deterministic data.

    Records are the same for a given ``seed`` (and ``now``): their timestamps lie in the 30
    days before ``now`` (default: the real clock at construction). ``tick()`` moves some
    records' change timestamps to the present and adds new records; ``delete()`` deletes one
    at the source. ``options`` are the vendors' options by name (``Vendor.options``): record
    counts (``members``, ``emails``, ``users``, ``sources``, ``audit_events``, ``contacts``,
    ``conversations``, ``lists``, ``campaigns``), account values (``list_id``,
    ``campaign_id``, ``dc``, ``subdomain``, ``workspace_id``) and switches (``hubspot_links``
    ``"absolute"`` or ``"relative"``, ``strict_tokens``); each reads back as an attribute
    (``api.list_id``, ``api.list_ids``). ``extra`` sets the sizes of the datasets built
    around the counted ones (Mailchimp's ``account.SIZES``, Segment's ``catalog.SIZES``).
    With ``state_file``, data is loaded from that file when it exists (sizes and seed are then
    ignored) and written after every change. ``vendors`` defaults to ``registry.VENDORS``.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        seed: int = 1,
        now: datetime | str | None = None,
        state_file: str | Path | None = None,
        verbose: bool = False,
        extra: dict[str, int] | None = None,
        vendors: Sequence[type[Vendor]] = VENDORS,
        **options: Any,
    ) -> None:
        known = {o.name for kind in vendors for o in kind.options}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(
                f"DemoAPI: unknown options {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        self.host = host
        self.port = port
        self.seed = seed
        self.verbose = verbose
        self.store = Store(seed=seed, now=now, state_file=state_file)
        self.vendors = tuple(kind(self.store, options, extra or {}) for kind in vendors)
        self.store.open(self.vendors)
        self.router = Router(self.store, self.vendors)
        self._log = RequestLog()
        self._faults = FaultQueue()
        self._server: HttpServer | None = None

    def __getattr__(self, name: str) -> Any:
        """A vendor's setting by name: ``api.list_id``, ``api.hubspot_links``."""
        for vendor in self.__dict__.get("vendors", ()):
            if name in vendor.settings:
                return vendor.settings[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def vendor(self, kind: type[V]) -> V:
        """This server's instance of a vendor class (its settings, its state)."""
        found = next((v for v in self.vendors if isinstance(v, kind)), None)
        if found is None:
            raise LookupError(f"this DemoAPI serves no {kind.__name__}")
        return found

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> DemoAPI:
        """Bind and serve in a background thread; returns self."""
        if self._server is None:
            self._server = HttpServer(
                self._app,
                self.host,
                self.port,
                logged=lambda request: not request.route.startswith(admin.PREFIX),
                fault_reply=self.router.fault,
                name="DemoAPI/1.0",
                verbose=self.verbose,
                log=self._log,
                faults=self._faults,
            ).start()
            self.port = self._server.port
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI)."""
        self.start()
        if self._server is not None:
            self._server.wait()

    def __enter__(self) -> DemoAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if self._server is None:
            raise RuntimeError("DemoAPI is not started")
        return f"http://{self.host}:{self.port}"

    def _app(self, request: Request) -> Reply:
        if request.route.startswith(admin.PREFIX):
            return admin.handle(self, request)
        return self.router.answer(request)

    # ---------------------------------------------------------------- what the specs need

    @property
    def params(self) -> dict[str, Any]:
        """Values for the specs' ``spec.properties`` placeholders that match this demo's data."""
        return {k: v for vendor in self.vendors for k, v in vendor.params().items()}

    def tap_config(self, **extra: Any) -> dict[str, Any]:
        """A tap-restspec config that points every spec at this demo (credentials are dummies)."""
        params = dict(self.params)
        for vendor in self.vendors:
            params.update(vendor.tap_params(self.url))
        config: dict[str, Any] = {
            "base_url": self.url,
            "username": "demo@example.com/token",
            "password": "demo-password",
            "api_key": "demo-api-key",
            "access_token": "demo-access-token",
            "refresh_token": "demo-refresh-token",
            "client_id": "demo-client-id",
            "client_secret": "demo-client-secret",
            "params": params,
        }
        config.update(extra)
        return config

    # ---------------------------------------------------------------- request log and faults

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Logged API requests (admin calls excluded), oldest first.

        Each: ``method``, ``path`` (as sent, still percent-encoded), ``query`` (raw query
        string), ``params`` (parsed, values as lists), ``headers`` (as sent), ``body`` (text),
        ``status`` (the answer's status, 0 for a dropped connection), ``time`` (epoch seconds).
        """
        return [request.as_dict() for request in self._log.snapshot()]

    def clear_requests(self) -> int:
        """Forget the logged requests; returns how many there were."""
        return self._log.clear()

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        path: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
        drop: bool = False,
        cut: bool = False,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
        ms_before_next: int | None = None,
    ) -> None:
        """Answer the next ``count`` API requests (whose path starts with ``path``) with a fault.

        ``status`` with an optional ``Retry-After``, ``headers`` and ``body`` (a JSON value, or
        a raw str: ``status=200`` with a non-JSON body simulates a broken answer); without a
        body, the API's own error body for that status (a Segment 429 nests ``msBeforeNext``,
        ``ms_before_next`` else ``retry_after`` in ms else 1000, in ``errors[].data``).
        ``drop`` closes the connection without an answer; ``cut`` sends half the body;
        ``delay`` waits that many seconds first (with ``status=0``, ``drop`` and ``cut``
        False, the normal answer follows the delay).
        """
        hint = {} if ms_before_next is None else {"ms_before_next": ms_before_next}
        self._faults.add(
            Fault(count, path, status, retry_after, dict(headers or {}), body, drop, cut, delay, hint)
        )

    # ---------------------------------------------------------------- data

    @property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset's name."""
        return self.store.datasets

    def records(self, dataset: str) -> list[Any]:
        """Deep copies of a dataset's current records, in the API's natural order."""
        return self.store.records(dataset)

    def ids(self, dataset: str) -> list[Any]:
        """The ids of a dataset's current records (``Dataset.id_key``)."""
        return self.store.ids(dataset)

    def changed_between(
        self, dataset: str, start: datetime | str | None = None, end: datetime | str | None = None
    ) -> list[dict[str, Any]]:
        """Records whose change timestamp (``Dataset.change_key``) lies in ``[start, end)``.

        This is the tap's window; note that Zendesk's own ``updated>X`` excludes X.
        """
        return self.store.changed_between(dataset, start, end)

    def tick(self, now: datetime | str | None = None, *, updates: int = 5, adds: int = 3) -> Changes:
        """Change the data as time passes: per dataset, ``updates`` existing records get their
        change timestamp set to ``now`` (default: the real clock) and ``adds`` new records are
        created at ``now``. Returns ``{dataset: {"updated": [ids], "added": [ids]}}``.

        Segment sources have no timestamp: updated ones are renamed or toggled, and every
        source change also appends a Segment audit event at ``now``.
        """
        return self.store.tick(now, updates, adds)

    def delete(self, dataset: str, record_id: Any, now: datetime | str | None = None) -> dict[str, list[Any]]:
        """Delete a record at the source, and what hangs off it (a Segment source's connected
        destinations, their subscriptions, ...); a deleted Segment source also gets a
        ``Source Deleted`` audit event at ``now``. Returns ``{dataset: [ids removed]}``;
        LookupError if there is no such record (``record_id`` is its ``id_key`` field)."""
        return self.store.delete(dataset, record_id, now)

    def reset(self) -> None:
        """Regenerate the data from the seed (``now`` = the constructor's, else the real clock)."""
        self.store.generate()
        self.clear_requests()

    @property
    def data(self) -> dict[str, list[Any]]:
        """The live datasets (hold ``store.lock`` to change them)."""
        return self.store.data

    @property
    def ticks(self) -> int:
        return self.store.ticks

    # ---------------------------------------------------------------- switches

    def switches(self) -> dict[str, Any]:
        """Every vendor's switches (``hubspot_links``, ``strict_tokens``) and their values."""
        return {k: v for vendor in self.vendors for k, v in vendor.switches().items()}

    def change(self, **switches: Any) -> None:
        """Set switches by name; an unknown name or value is a ValueError."""
        for name, value in switches.items():
            if not any(vendor.switch(name, value) for vendor in self.vendors):
                raise ValueError(f"unknown setting {name}={value!r}")
