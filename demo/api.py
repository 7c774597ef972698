"""A local demo API that answers like the APIs of the example specs in specs/.

Stdlib only. One threaded HTTP server (``demo.core``) serves, at once, the endpoints of
the table in ``demo.endpoints``:

* Mailchimp Marketing API 3.0: ``GET /3.0/lists/{list_id}/members`` (several lists),
  ``GET /3.0/campaigns`` and ``GET /3.0/reports/{campaign_id}/email-activity`` (count/offset,
  ``total_items``, ``since_last_changed`` inclusive / ``before_last_changed`` exclusive, Basic auth);
* Zendesk Support: ``GET /api/v2/search/export`` (``filter[type]``, ``query`` with
  ``updated>X`` / ``updated < X``, ``page[size]`` up to 1000, opaque ``page[after]``
  cursors in ``meta.after_cursor`` with ``meta.has_more``; the last page keeps a cursor;
  Basic or Bearer auth);
* Segment Public API: the workspace, sources, destinations, warehouses, tracking plans,
  functions, transformations, users, invites, groups, roles, labels, audit events, reverse-ETL
  models, spaces and their children (``demo.segment``; ``pagination.count`` 1..1000,
  ``pagination.cursor`` from ``data.pagination.next``, ``startTime`` inclusive / ``endTime``
  exclusive, Bearer auth; a 429 nests ``msBeforeNext`` in ``errors[].data``);
* HubSpot CRM v3: ``GET /crm/v3/objects/contacts`` (``limit`` up to 100, ``after``,
  ``paging.next.link`` absolute on the host the client asked for, or relative
  ``?after=...`` with ``hubspot_links="relative"``) and ``POST /crm/v3/objects/contacts/search``
  (filters, sorts, ``limit`` and ``after`` in the body); Bearer auth;
* Help Scout Mailbox API 2.0: ``GET /v2/conversations`` (25 a page, ``page``, ``status``
  default ``active``, ``sortField``/``sortOrder``, ``modifiedSince``; an empty page has no
  ``_embedded``) and ``POST /v2/oauth2/token`` (issues bearer tokens).

Admin endpoints (not logged, see ``demo.admin``): ``GET /_demo/health``,
``GET /_demo/params``, ``GET /_demo/config``, ``POST /_demo/tick``, ``POST /_demo/reset``,
``GET|DELETE /_demo/requests``, ``GET /_demo/data/<dataset>``, ``GET|POST /_demo/settings``,
``POST /_demo/fail``, ``POST /_demo/delete`` (a record deleted at the source).

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

from datetime import datetime
from typing import Any

from demo import admin, endpoints
from demo.core import Fault, FaultQueue, HttpServer, Reply, Request, RequestLog
from demo.data import CHANGE_KEYS, DATASETS, ID_KEYS, TICKED
from demo.mailchimp_data import extra_list_ids
from demo.segment_catalog import FUNCTION_TYPES
from demo.store import Context, Settings, Store, Tokens
from demo.times import fmt_ms, fmt_offset, fmt_z, parse_time, to_utc

__all__ = [
    "CHANGE_KEYS",
    "DATASETS",
    "ID_KEYS",
    "TICKED",
    "DemoAPI",
    "fmt_ms",
    "fmt_offset",
    "fmt_z",
    "main",
    "parse_time",
    "to_utc",
]


class DemoAPI:
    """A local server that answers like Mailchimp, Zendesk, Segment, HubSpot and Help Scout.

    Records are synthetic and deterministic for a given ``seed`` (and ``now``): their
    timestamps lie in the 30 days before ``now`` (default: the real clock at construction).
    ``tick()`` moves some records' change timestamps to the present and adds new records;
    ``delete()`` deletes one at the source. The sizes are the record counts of the ``TICKED``
    datasets; Mailchimp has ``lists`` lists (``list_ids``, the first is ``list_id``, whose
    members are ``members``) and ``campaigns`` campaigns (the first is ``campaign_id``, whose
    email activity is ``emails``); ``extra`` sets the other sizes (``mailchimp_data.SIZES``,
    ``segment_catalog.SIZES``). With ``state_file``, data is loaded from that file when it
    exists (sizes and seed are then ignored) and written after every change.
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
        lists: int = 3,
        campaigns: int = 6,
        extra: dict[str, int] | None = None,
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
        more = extra_list_ids(max(lists, 1))
        self.settings = Settings(list_id, campaign_id, dc, subdomain, workspace_id, more_lists=more)
        self.settings.change(strict_tokens=strict_tokens, hubspot_links=hubspot_links)
        counts = (members, emails, users, sources, audit_events, contacts, conversations)
        self.sizes = dict(zip(TICKED, counts, strict=True))
        sizes = {"campaigns": campaigns, **(extra or {})}
        self.store = Store(self.settings, self.sizes, seed=seed, now=now, state_file=state_file, extra=sizes)
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
    def params(self) -> dict[str, Any]:
        """Values for the specs' ``spec.properties`` placeholders that match this demo's data
        (``resourceType``: every kind of Segment function, one partition each)."""
        return {
            "dc": self.dc,
            "listId": self.list_id,
            "campaignId": self.campaign_id,
            "subdomain": self.subdomain,
            "api_host": "api.segmentapis.com",
            "resourceType": list(FUNCTION_TYPES),
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

    def delete(self, dataset: str, record_id: Any, now: datetime | str | None = None) -> dict[str, list[Any]]:
        """Delete a record at the source, and what hangs off it (a Segment source's connected
        destinations, their subscriptions, ...); a deleted Segment source also gets a
        ``Source Deleted`` audit event at ``now``. Returns ``{dataset: [ids removed]}``;
        LookupError if there is no such record (``record_id`` is its ``ID_KEYS`` field)."""
        return self.store.delete(dataset, record_id, now)

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
    list_ids = property(lambda self: [self.settings.list_id, *self.settings.more_lists])
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
    """``python demo/api.py --port 8765 ...`` (see ``demo.cli``)."""
    from demo.cli import main as run

    run(argv)


if __name__ == "__main__":
    main()
