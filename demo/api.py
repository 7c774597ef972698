"""A local demo API that answers like the six APIs of the example specs in specs/.

Stdlib only. One threaded HTTP server (``demo.core``) serves, at once, the endpoints of
the table in ``demo.endpoints``:

* Mailchimp Marketing API 3.0: ``GET /3.0/lists/{list_id}/members`` and
  ``GET /3.0/reports/{campaign_id}/email-activity`` (count/offset, ``total_items``,
  ``since_last_changed`` inclusive / ``before_last_changed`` exclusive, Basic auth);
* Zendesk Support: ``GET /api/v2/search/export`` (``filter[type]``, ``query`` with
  ``updated>X`` / ``updated < X``, ``page[size]`` up to 1000, opaque ``page[after]``
  cursors in ``meta.after_cursor`` with ``meta.has_more``; the last page keeps a cursor;
  Basic or Bearer auth);
* Segment Public API: ``GET /sources`` and ``GET /audit-events`` (``pagination.count``
  1..1000, ``pagination.cursor`` from ``data.pagination.next``, ``startTime`` inclusive /
  ``endTime`` exclusive, Bearer auth; a 429 nests ``msBeforeNext`` in ``errors[].data``);
* HubSpot CRM v3: ``GET /crm/v3/objects/contacts`` (``limit`` up to 100, ``after``,
  ``paging.next.link`` absolute on the host the client asked for, or relative
  ``?after=...`` with ``hubspot_links="relative"``; Bearer auth);
* Help Scout Mailbox API 2.0: ``GET /v2/conversations`` (25 a page, ``page``, ``status``
  default ``active``, ``sortField``/``sortOrder``, ``modifiedSince``; an empty page has no
  ``_embedded``) and ``POST /v2/oauth2/token`` (issues bearer tokens).

Admin endpoints (not logged, see ``demo.admin``): ``GET /_demo/health``,
``GET /_demo/params``, ``GET /_demo/config``, ``POST /_demo/tick``, ``POST /_demo/reset``,
``GET|DELETE /_demo/requests``, ``GET /_demo/data/<dataset>``, ``GET|POST /_demo/settings``,
``POST /_demo/fail``.

Python: ``with DemoAPI(seed=1) as api: ... api.url ... api.tick() ...``; see ``DemoAPI``
(also ``fail_next`` to inject 429/5xx/dropped connections, ``strict_tokens`` to make Help
Scout accept only tokens it issued).
CLI: ``python demo/api.py --port 8765 [--state-file F]`` (with a state file the data
survives restarts, and ``--port 0`` picks a free port; the first line printed is
``Demo API listening on http://127.0.0.1:PORT``).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python demo/api.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import signal
import threading
from datetime import datetime
from typing import Any

from demo import admin, endpoints
from demo.core import Fault, FaultQueue, HttpServer, Reply, Request, RequestLog
from demo.data import CHANGE_KEYS, DATASETS, ID_KEYS
from demo.store import Context, Settings, Store, Tokens
from demo.times import fmt_ms, fmt_offset, fmt_z, parse_time, to_utc

__all__ = [
    "CHANGE_KEYS",
    "DATASETS",
    "ID_KEYS",
    "DemoAPI",
    "fmt_ms",
    "fmt_offset",
    "fmt_z",
    "main",
    "parse_time",
    "to_utc",
]

#: CLI flag -> (DemoAPI keyword, default record count).
SIZES = {
    "members": ("members", 250),
    "emails": ("emails", 120),
    "users": ("users", 300),
    "sources": ("sources", 45),
    "audit-events": ("audit_events", 500),
    "contacts": ("contacts", 230),
    "conversations": ("conversations", 110),
}


class DemoAPI:
    """A local server that answers like Mailchimp, Zendesk, Segment, HubSpot and Help Scout.

    Records are synthetic and deterministic for a given ``seed`` (and ``now``): their
    timestamps lie in the 30 days before ``now`` (default: the real clock at construction).
    ``tick()`` moves some records' change timestamps to the present and adds new records.
    The sizes are the record counts per dataset; ``list_id`` and ``campaign_id`` are the only
    Mailchimp ids served (others get 404). With ``state_file``, data is loaded from that file
    when it exists (sizes and seed are then ignored) and written after every tick and reset.
    ``hubspot_links`` is ``"absolute"`` (the live API) or ``"relative"`` (HubSpot's docs).
    """

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        seed: int = 1,
        members: int = 250,
        emails: int = 120,
        users: int = 300,
        sources: int = 45,
        audit_events: int = 500,
        contacts: int = 230,
        conversations: int = 110,
        list_id: str = "a1b2c3d4e5",
        campaign_id: str = "42694e9e57",
        dc: str = "us21",
        subdomain: str = "demo",
        workspace_id: str = "9aQ1Lj62S4bomZKLF4DPqW",
        now: datetime | str | None = None,
        strict_tokens: bool = False,
        hubspot_links: str = "absolute",
        state_file: str | Path | None = None,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.seed = seed
        self.verbose = verbose
        self.settings = Settings(list_id, campaign_id, dc, subdomain, workspace_id)
        self.settings.change(strict_tokens=strict_tokens, hubspot_links=hubspot_links)
        counts = (members, emails, users, sources, audit_events, contacts, conversations)
        self.sizes = dict(zip(DATASETS, counts, strict=True))
        self.store = Store(self.settings, self.sizes, seed=seed, now=now, state_file=state_file)
        self.context = Context(self.store, self.settings, Tokens())
        self._log = RequestLog()
        self._faults = FaultQueue()
        self._server: HttpServer | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> DemoAPI:
        """Bind and serve in a background thread; returns self."""
        if self._server is None:
            self._server = HttpServer(
                self._app,
                self.host,
                self.port,
                logged=lambda request: not request.route.startswith(admin.PREFIX),
                fault_reply=lambda request, fault: endpoints.vendor_for(request.route).fault(request, fault),
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
        return endpoints.route(request, self.context)

    # ---------------------------------------------------------------- what the specs need

    @property
    def params(self) -> dict[str, str]:
        """Values for the specs' ``spec.properties`` placeholders that match this demo's data."""
        return {
            "dc": self.dc,
            "listId": self.list_id,
            "campaignId": self.campaign_id,
            "subdomain": self.subdomain,
            "api_host": "api.segmentapis.com",
        }

    def tap_config(self, **extra: Any) -> dict[str, Any]:
        """A tap-restspec config that points every spec at this demo (credentials are dummies)."""
        params = dict(self.params)
        params["accessTokenUrl"] = f"{self.url}/v2/oauth2/token"
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

    def issue_token(self) -> dict[str, Any]:
        """A new Help Scout access token (accepted even with ``strict_tokens``)."""
        return self.context.tokens.issue()

    def revoke_tokens(self) -> None:
        """Forget every issued Help Scout token (with ``strict_tokens`` they then get 401)."""
        self.context.tokens.revoke()

    # ---------------------------------------------------------------- data

    def records(self, dataset: str) -> list[dict[str, Any]]:
        """Deep copies of a dataset's current records, in the API's natural order."""
        return self.store.records(dataset)

    def ids(self, dataset: str) -> list[Any]:
        """The ids of a dataset's current records (see ``ID_KEYS``)."""
        return self.store.ids(dataset)

    def changed_between(
        self, dataset: str, start: datetime | str | None = None, end: datetime | str | None = None
    ) -> list[dict[str, Any]]:
        """Records whose change timestamp (``CHANGE_KEYS``) lies in ``[start, end)``.

        This is the tap's window; note that Zendesk's own ``updated>X`` excludes X.
        """
        return self.store.changed_between(dataset, start, end)

    def tick(
        self, now: datetime | str | None = None, *, updates: int = 5, adds: int = 3
    ) -> dict[str, dict[str, list[Any]]]:
        """Change the data as time passes: per dataset, ``updates`` existing records get their
        change timestamp set to ``now`` (default: the real clock) and ``adds`` new records are
        created at ``now``. Returns ``{dataset: {"updated": [ids], "added": [ids]}}``.

        Segment sources have no timestamp: updated ones are renamed or toggled, and every
        source change also appends a Segment audit event at ``now``.
        """
        return self.store.tick(now, updates, adds)

    def reset(self) -> None:
        """Regenerate the data from the seed (``now`` = the constructor's, else the real clock)."""
        self.store.generate()
        self.clear_requests()

    @property
    def data(self) -> dict[str, list[dict[str, Any]]]:
        """The live datasets (hold ``store.lock`` to change them)."""
        return self.store.data

    @property
    def ticks(self) -> int:
        return self.store.ticks

    # ---------------------------------------------------------------- settings

    list_id = property(lambda self: self.settings.list_id)
    campaign_id = property(lambda self: self.settings.campaign_id)
    dc = property(lambda self: self.settings.dc)
    subdomain = property(lambda self: self.settings.subdomain)
    workspace_id = property(lambda self: self.settings.workspace_id)

    @property
    def strict_tokens(self) -> bool:
        return self.settings.strict_tokens

    @strict_tokens.setter
    def strict_tokens(self, value: bool) -> None:
        self.settings.change(strict_tokens=value)

    @property
    def hubspot_links(self) -> str:
        return self.settings.hubspot_links

    @hubspot_links.setter
    def hubspot_links(self, value: str) -> None:
        self.settings.change(hubspot_links=value)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state-file", help="keep the data here, across restarts")
    parser.add_argument("--hubspot-links", choices=("absolute", "relative"), default="absolute")
    parser.add_argument("--strict-tokens", action="store_true", help="Help Scout: only issued tokens")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    for flag, (_, default) in SIZES.items():
        parser.add_argument(f"--{flag}", type=int, default=default)
    args = parser.parse_args(argv)
    sizes = {keyword: getattr(args, flag.replace("-", "_")) for flag, (keyword, _) in SIZES.items()}
    api = DemoAPI(
        args.port,
        host=args.host,
        seed=args.seed,
        state_file=args.state_file,
        hubspot_links=args.hubspot_links,
        strict_tokens=args.strict_tokens,
        verbose=args.verbose,
        **sizes,
    )
    api.start()

    def _stop(*_: object) -> None:
        threading.Thread(target=api.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"Demo API listening on {api.url}", flush=True)
    api.serve_forever()


if __name__ == "__main__":
    main()
