"""A local demo API that answers like the six APIs of the example specs in specs/.

Stdlib only. One threaded HTTP server serves, at once:

* Mailchimp Marketing API 3.0: ``GET /3.0/lists/{list_id}/members`` and
  ``GET /3.0/reports/{campaign_id}/email-activity`` (count/offset, ``total_items``,
  ``since_last_changed`` inclusive / ``before_last_changed`` exclusive, Basic auth);
* Zendesk Support: ``GET /api/v2/search/export`` (``filter[type]``, ``query`` with
  ``updated>X`` / ``updated < X``, ``page[size]`` up to 1000, opaque ``page[after]``
  cursors in ``meta.after_cursor`` with ``meta.has_more``, Basic or Bearer auth);
* Segment Public API: ``GET /sources`` and ``GET /audit-events`` (``pagination.count``
  1..1000, ``pagination.cursor`` from ``data.pagination.next``, ``startTime`` inclusive /
  ``endTime`` exclusive, Bearer auth);
* HubSpot CRM v3: ``GET /crm/v3/objects/contacts`` (``limit`` up to 100, ``after``,
  ``paging.next.link`` as an absolute URL on the host the client asked for, Bearer auth);
* Help Scout Mailbox API 2.0: ``GET /v2/conversations`` (25 a page, ``page``,
  ``status`` default ``active``, ``sortField``/``sortOrder``, ``modifiedSince``) and
  ``POST /v2/oauth2/token`` (issues bearer tokens).

Admin endpoints (not logged): ``GET /_demo/health``, ``GET /_demo/params``,
``POST /_demo/tick``, ``POST /_demo/reset``, ``GET|DELETE /_demo/requests``,
``GET /_demo/data/<dataset>``.

Python: ``with DemoAPI(seed=1) as api: ... api.url ... api.tick() ...``; see ``DemoAPI``
(also ``fail_next`` to inject 429/5xx/dropped connections, ``strict_tokens`` to make Help
Scout accept only tokens it issued).
CLI: ``python demo/api.py --port 8765 [--state-file F]`` (with a state file the data
survives restarts, and ``--port 0`` picks a free port; the first line printed is
``Demo API listening on http://127.0.0.1:PORT``).
"""

from __future__ import annotations

import argparse
import base64
import copy
import functools
import hashlib
import json
import random
import re
import signal
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, unquote, urlencode

UTC = timezone.utc

DATASETS: tuple[str, ...] = (
    "mailchimp_members",
    "mailchimp_email_activity",
    "zendesk_users",
    "segment_sources",
    "segment_audit_events",
    "hubspot_contacts",
    "helpscout_conversations",
)

#: The field of each dataset's records that identifies a record.
ID_KEYS: dict[str, str] = {
    "mailchimp_members": "id",
    "mailchimp_email_activity": "email_id",
    "zendesk_users": "id",
    "segment_sources": "id",
    "segment_audit_events": "id",
    "hubspot_contacts": "id",
    "helpscout_conversations": "id",
}

#: The field each API filters its time windows on (None: the API has no window).
CHANGE_KEYS: dict[str, str | None] = {
    "mailchimp_members": "last_changed",
    "mailchimp_email_activity": None,
    "zendesk_users": "updated_at",
    "segment_sources": None,
    "segment_audit_events": "timestamp",
    "hubspot_contacts": "updatedAt",
    "helpscout_conversations": "userUpdatedAt",
}

HELPSCOUT_PAGE_SIZE = 25


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = _words(
    "Ada Alan Grace Linus Barbara Ken Margaret Dennis Frances Edsger Radia John Hedy Tim "
    "Katherine Guido Sophie Niklaus Anita Bjarne Karen Donald Lynn Vint Joan Claude Mary "
    "Leslie Shafi Whitfield Adele Ivan Jean Robin Carla Tony Ruth Peter Elena Marco"
)
_LAST = _words(
    "Lovelace Turing Hopper Torvalds Liskov Thompson Hamilton Ritchie Allen Dijkstra "
    "Perlman McCarthy Lamarr Berners-Lee Johnson Rossum Wilson Wirth Borg Stroustrup "
    "Jones Knuth Conway Cerf Clarke Shannon Keller Lamport Goldwasser Diffie Goldberg "
    "Sutherland Sammet Milner Bianchi Hoare Teitelbaum Naur Rossi Conti"
)
_DOMAINS = ("example.com", "example.org", "example.net")
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TIMEZONES = (
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("London", "Europe/London"),
    ("Rome", "Europe/Rome"),
    ("Tokyo", "Asia/Tokyo"),
)
_SUBJECTS = (
    "Cannot log in",
    "Refund request",
    "Question about my invoice",
    "Feature request: dark mode",
    "Order has not arrived",
    "How do I export my data?",
    "Password reset email never came",
    "Upgrade to the annual plan",
)
_SOURCE_KINDS = (
    ("javascript", "Javascript", "Website"),
    ("ios", "iOS", "Mobile"),
    ("android", "Android", "Mobile"),
    ("http-api", "HTTP API", "Server"),
    ("node-js", "Node.js", "Server"),
    ("python", "Python", "Server"),
)
_AUDIT_TYPES = (
    "Source Modified",
    "Source Enabled",
    "Source Disabled",
    "Integration Modified",
    "Tracking Plan Modified",
    "Warehouse Run Failed",
)


# --------------------------------------------------------------------------- time helpers

_TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time (offset optional, UTC if absent) into aware UTC."""
    match = _TS_RE.match(value.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    moment = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    offset = timedelta(0)
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        if zone[0] == "-":
            offset = -offset
    return (moment - offset).replace(tzinfo=UTC)


@functools.lru_cache(maxsize=65536)
def _epoch(value: str) -> float:
    return parse_time(value).timestamp()


def to_utc(value: datetime | str | float | None) -> datetime:
    """A datetime, ISO string or epoch seconds as an aware UTC datetime (None: now)."""
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def fmt_offset(moment: datetime) -> str:
    """Mailchimp style: ``2015-10-21T15:41:36+00:00``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def fmt_z(moment: datetime) -> str:
    """Zendesk / Help Scout style: ``2022-04-22T10:27:30Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_ms(moment: datetime) -> str:
    """Segment / HubSpot style: ``2019-10-30T03:30:17.883Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --------------------------------------------------------------------------- small helpers


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _b62(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_B62) for _ in range(n))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _unb64(text: str) -> str:
    return base64.b64decode(text.encode(), validate=True).decode()


def _last(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


class ApiError(Exception):
    """An error answer: HTTP status and JSON body."""

    def __init__(
        self,
        status: int,
        body: Any,
        content_type: str = "application/json; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})


# API-shaped error bodies ------------------------------------------------------------


def _mailchimp_error(status: int, title: str, detail: str) -> ApiError:
    body = {
        "type": "https://mailchimp.com/developer/marketing/docs/errors/",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(uuid.uuid4()),
    }
    return ApiError(status, body, "application/problem+json; charset=utf-8")


def _zendesk_error(status: int, title: str, message: str) -> ApiError:
    return ApiError(status, {"error": {"title": title, "message": message}})


def _segment_error(status: int, kind: str, message: str, field: str | None = None) -> ApiError:
    error: dict[str, Any] = {"type": kind, "message": message}
    if field:
        error["field"] = field
    return ApiError(status, {"errors": [error]})


def _hubspot_error(status: int, category: str, message: str) -> ApiError:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    return ApiError(status, body)


def _helpscout_error(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> ApiError:
    body: dict[str, Any] = {"logRef": str(uuid.uuid4()), "message": message}
    if errors:
        body["_embedded"] = {"errors": errors}
    body["_links"] = {"about": {"href": "http://developer.helpscout.net/mailbox-api/overview/errors"}}
    return ApiError(status, body, "application/vnd.error+json; charset=utf-8")


def _zendesk_test(
    column: str, check: Callable[[float, float], bool], bound: float, row: dict[str, Any]
) -> bool:
    return check(_epoch(row[column]), bound)


def _not_found(path: str) -> ApiError:
    if path.startswith("/3.0/"):
        return _mailchimp_error(404, "Resource Not Found", "The requested resource could not be found.")
    if path.startswith("/api/v2/"):
        return ApiError(404, {"error": "InvalidEndpoint", "description": "Not found"})
    if path.startswith("/crm/"):
        return _hubspot_error(404, "OBJECT_NOT_FOUND", f"Resource not found: {path}")
    if path.startswith("/v2/"):
        return _helpscout_error(404, "Resource not found")
    return _segment_error(404, "not-found", "Resource not found")


# --------------------------------------------------------------------------- authentication


def _auth_scheme(headers: Mapping[str, str]) -> tuple[str, str]:
    value = headers.get("Authorization") or ""
    scheme, _, cred = value.strip().partition(" ")
    return scheme.lower(), cred.strip()


def _basic_pair(cred: str) -> tuple[str, str] | None:
    try:
        user, sep, password = base64.b64decode(cred, validate=True).decode().partition(":")
    except ValueError:
        return None
    return (user, password) if sep else None


# --------------------------------------------------------------------------- the server


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    api: DemoAPI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoAPI/1.0"
    timeout = 60
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.api.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing

    def _dispatch(self, method: str) -> None:
        api = self.server.api
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        raw_path, _, query = self.path.partition("?")
        path = unquote(raw_path)
        params = parse_qs(query, keep_blank_values=True)
        headers = {k: v for k, v in self.headers.items()}
        if path.startswith("/_demo/"):
            self._answer(lambda: api._admin(method, path, params, body))
            return
        entry = api._log(method, raw_path, query, params, headers, body)
        fault = api._take_fault(path)
        if fault is not None:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault.get("drop"):
                api._set_status(entry, 0)
                self.close_connection = True
                return
            status = int(fault.get("status") or 0)
            if status:
                extra = {}
                if fault.get("retry_after") is not None:
                    extra["Retry-After"] = str(fault["retry_after"])
                raw = fault.get("body")
                if raw is None:
                    raw = json.dumps({"error": "injected fault", "status": status})
                api._set_status(entry, status)
                self._send_raw(status, str(raw).encode(), "application/json", extra)
                return
        request = _Request(method, path, params, headers, body, self.headers.get("Host") or "")
        status = self._answer(lambda: api._route(request))
        api._set_status(entry, status)

    def _answer(self, produce: Callable[[], Any]) -> int:
        try:
            result = produce()
        except ApiError as err:
            self._send_json(err.status, err.body, err.content_type, err.headers)
            return err.status
        except Exception:  # a bug in the demo: say so, keep serving
            traceback.print_exc()
            self._send_json(500, {"error": "demo server error"})
            return 500
        status, payload = result if isinstance(result, tuple) else (200, result)
        self._send_json(status, payload)
        return status

    def _send_json(
        self,
        status: int,
        payload: Any,
        content_type: str = "application/json; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        data = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        self._send_raw(status, data, content_type, headers)

    def _send_raw(
        self, status: int, data: bytes, content_type: str, headers: Mapping[str, str] | None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if data:
            self.wfile.write(data)


class _Request:
    """What a route handler sees."""

    __slots__ = ("body", "headers", "host", "method", "params", "path")

    def __init__(
        self,
        method: str,
        path: str,
        params: dict[str, list[str]],
        headers: dict[str, str],
        body: str,
        host: str,
    ) -> None:
        self.method = method
        self.path = path
        self.params = params
        self.headers = _Headers(headers)
        self.body = body
        self.host = host

    def q(self, name: str) -> str | None:
        return _last(self.params, name)

    def link(self, path: str, params: Iterable[tuple[str, str]]) -> str:
        query = urlencode(list(params), quote_via=quote, safe=":")
        return f"http://{self.host}{path}" + (f"?{query}" if query else "")

    def kept(self, *drop: str) -> list[tuple[str, str]]:
        """The request's query pairs, in order, without the named parameters."""
        return [(k, v) for k, values in self.params.items() if k not in drop for v in values]


class _Headers(dict[str, str]):
    """A case-insensitive view for lookups."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        super().__init__({k.lower(): v for k, v in headers.items()})

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


# --------------------------------------------------------------------------- the demo API


class DemoAPI:
    """A local server that answers like Mailchimp, Zendesk, Segment, HubSpot and Help Scout.

    Records are synthetic and deterministic for a given ``seed`` (and ``now``): their
    timestamps lie in the 30 days before ``now`` (default: the real clock at construction).
    ``tick()`` moves some records' change timestamps to the present and adds new records.
    The sizes are the record counts per dataset; ``list_id`` and ``campaign_id`` are the only
    Mailchimp ids served (others get 404). With ``state_file``, data is loaded from that file
    when it exists (sizes and seed are then ignored) and written after every tick and reset.
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
        state_file: str | Path | None = None,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.seed = seed
        self.sizes = {
            "mailchimp_members": members,
            "mailchimp_email_activity": emails,
            "zendesk_users": users,
            "segment_sources": sources,
            "segment_audit_events": audit_events,
            "hubspot_contacts": contacts,
            "helpscout_conversations": conversations,
        }
        self.list_id = list_id
        self.campaign_id = campaign_id
        self.dc = dc
        self.subdomain = subdomain
        self.workspace_id = workspace_id
        self.strict_tokens = strict_tokens
        self.state_file = Path(state_file) if state_file else None
        self.verbose = verbose
        self._base_now = to_utc(now) if now is not None else None
        self._lock = threading.RLock()
        self._log_lock = threading.Lock()
        self._requests: list[dict[str, Any]] = []
        self._faults: list[dict[str, Any]] = []
        self._tokens: set[str] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.data: dict[str, list[dict[str, Any]]] = {}
        self._counters: dict[str, int] = {}
        self.ticks = 0
        if self.state_file and self.state_file.exists():
            self._load_state()
        else:
            self._generate()
            self._save_state()

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> DemoAPI:
        """Bind and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.api = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI)."""
        self.start()
        thread = self._thread
        while thread is not None and thread.is_alive():
            thread.join(timeout=0.5)

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

    # ---------------------------------------------------------------- request log

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Logged API requests (admin calls excluded), oldest first.

        Each: ``method``, ``path`` (as sent, still percent-encoded), ``query`` (raw query
        string), ``params`` (parsed, values as lists), ``headers`` (as sent), ``body`` (text),
        ``status`` (the answer's status, 0 for a dropped connection), ``time`` (epoch seconds).
        """
        with self._log_lock:
            return [dict(entry) for entry in self._requests]

    def clear_requests(self) -> None:
        """Forget the logged requests."""
        with self._log_lock:
            self._requests.clear()

    def _log(
        self,
        method: str,
        path: str,
        query: str,
        params: dict[str, list[str]],
        headers: dict[str, str],
        body: str,
    ) -> dict[str, Any]:
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "params": params,
            "headers": headers,
            "body": body,
            "status": None,
            "time": time.time(),
        }
        with self._log_lock:
            self._requests.append(entry)
        return entry

    def _set_status(self, entry: dict[str, Any], status: int) -> None:
        with self._log_lock:
            entry["status"] = status

    # ---------------------------------------------------------------- faults and tokens

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        path: str | None = None,
        retry_after: float | int | None = None,
        body: str | None = None,
        drop: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``count`` API requests (whose path starts with ``path``) with a fault.

        ``status`` with an optional ``Retry-After`` and raw ``body`` (``status=200`` with a
        non-JSON body simulates a broken answer); ``drop`` closes the connection without an
        answer; ``delay`` waits that many seconds first (with ``status=0`` and ``drop=False``
        the normal answer follows the delay).
        """
        with self._lock:
            self._faults.append(
                {
                    "count": count,
                    "status": status,
                    "path": path,
                    "retry_after": retry_after,
                    "body": body,
                    "drop": drop,
                    "delay": delay,
                }
            )

    def _take_fault(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            for fault in self._faults:
                if fault["count"] > 0 and (not fault["path"] or path.startswith(fault["path"])):
                    fault["count"] -= 1
                    if fault["count"] == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def issue_token(self) -> dict[str, Any]:
        """A new Help Scout access token (accepted even with ``strict_tokens``)."""
        token = uuid.uuid4().hex
        with self._lock:
            self._tokens.add(token)
        return {
            "token_type": "bearer",
            "access_token": token,
            "refresh_token": uuid.uuid4().hex,
            "expires_in": 172800,
        }

    def revoke_tokens(self) -> None:
        """Forget every issued Help Scout token (with ``strict_tokens`` they then get 401)."""
        with self._lock:
            self._tokens.clear()

    # ---------------------------------------------------------------- data access

    def records(self, dataset: str) -> list[dict[str, Any]]:
        """Deep copies of a dataset's current records, in the API's natural order."""
        with self._lock:
            return copy.deepcopy(self._dataset(dataset))

    def ids(self, dataset: str) -> list[Any]:
        """The ids of a dataset's current records (see ``ID_KEYS``)."""
        key = ID_KEYS[dataset]
        with self._lock:
            return [r[key] for r in self._dataset(dataset)]

    def changed_between(
        self,
        dataset: str,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> list[dict[str, Any]]:
        """Records whose change timestamp (``CHANGE_KEYS``) lies in ``[start, end)``.

        This is the tap's window; note that Zendesk's own ``updated>X`` excludes X.
        """
        key = CHANGE_KEYS[dataset]
        if key is None:
            raise ValueError(f"{dataset} has no change timestamp")
        lo = to_utc(start).timestamp() if start is not None else float("-inf")
        hi = to_utc(end).timestamp() if end is not None else float("inf")
        with self._lock:
            return [copy.deepcopy(r) for r in self._dataset(dataset) if lo <= _epoch(r[key]) < hi]

    def _dataset(self, dataset: str) -> list[dict[str, Any]]:
        if dataset not in self.data:
            raise KeyError(f"unknown dataset {dataset!r}; one of {', '.join(DATASETS)}")
        return self.data[dataset]

    # ---------------------------------------------------------------- generation

    def _now(self) -> datetime:
        return self._base_now or datetime.now(UTC)

    def _generate(self) -> None:
        now = self._now()
        rng = random.Random(self.seed)
        self.ticks = 0
        self._counters = {name: 0 for name in DATASETS}
        self.data = {name: [] for name in DATASETS}
        span = timedelta(days=30).total_seconds() - 120

        def moments() -> tuple[datetime, datetime]:
            created = now - timedelta(days=30) + timedelta(seconds=rng.random() * span)
            room = (now - timedelta(seconds=60) - created).total_seconds()
            changed = created + timedelta(seconds=rng.random() * max(room, 0))
            return created.replace(microsecond=0), changed.replace(microsecond=0)

        # Records are kept in each API's creation order (oldest first).
        for name in DATASETS:
            rows = []
            for _ in range(self.sizes[name]):
                created, changed = moments()
                rows.append((created, changed))
            rows.sort()
            for created, changed in rows:
                self.data[name].append(self._make(name, rng, created, changed))
        # Audit events are listed newest first, like an audit trail.
        self.data["segment_audit_events"].reverse()

    def _make(self, dataset: str, rng: random.Random, created: datetime, changed: datetime) -> dict[str, Any]:
        n = self._counters[dataset]
        self._counters[dataset] = n + 1
        maker = getattr(self, f"_make_{dataset}")
        return maker(rng, n, created, changed)

    def _person(self, rng: random.Random, n: int, tag: str = "") -> tuple[str, str, str]:
        first = rng.choice(_FIRST)
        last = rng.choice(_LAST)
        email = f"{first}.{last}{tag}{n}@{rng.choice(_DOMAINS)}".lower()
        return first, last, email

    def _make_mailchimp_members(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n)
        member_id = _md5(email)
        status = rng.choices(["subscribed", "unsubscribed", "cleaned", "pending"], weights=[75, 15, 5, 5])[0]
        _, iana = rng.choice(_TIMEZONES)
        tags = rng.sample(
            [(101, "customer"), (102, "newsletter"), (103, "vip"), (104, "beta")], rng.randint(0, 2)
        )
        return {
            "id": member_id,
            "email_address": email,
            "unique_email_id": _md5(email + ":u")[:10],
            "contact_id": _md5(email + ":c"),
            "full_name": f"{first} {last}",
            "web_id": 100000000 + n * 13,
            "email_type": "html",
            "status": status,
            "consents_to_one_to_one_messaging": True,
            "merge_fields": {
                "FNAME": first,
                "LNAME": last,
                "ADDRESS": "",
                "PHONE": "",
                "BIRTHDAY": "",
            },
            "stats": {
                "avg_open_rate": round(rng.random(), 2),
                "avg_click_rate": round(rng.random() / 3, 2),
            },
            "ip_signup": "",
            "timestamp_signup": "",
            "ip_opt": f"198.51.100.{rng.randint(1, 254)}",
            "timestamp_opt": fmt_offset(created),
            "member_rating": rng.randint(1, 5),
            "last_changed": fmt_offset(changed),
            "language": rng.choice(["en", "it", "fr", "de"]),
            "vip": rng.random() < 0.05,
            "email_client": rng.choice(["Gmail", "Apple Mail", "Outlook", ""]),
            "location": {
                "latitude": round(rng.uniform(-60, 70), 4),
                "longitude": round(rng.uniform(-180, 180), 4),
                "gmtoff": 0,
                "dstoff": 0,
                "country_code": rng.choice(["US", "IT", "GB", "JP"]),
                "timezone": iana,
                "region": "",
            },
            "source": rng.choice(["API - Generic", "Hosted Signup Form", "Import"]),
            "tags_count": len(tags),
            "tags": [{"id": tid, "name": tname} for tid, tname in tags],
            "list_id": self.list_id,
            "_links": [
                {
                    "rel": "self",
                    "href": f"https://{self.dc}.api.mailchimp.com/3.0/lists/{self.list_id}/members/{member_id}",
                    "method": "GET",
                    "targetSchema": "https://us21.api.mailchimp.com/schema/3.0/Definitions/Lists/Members/Response.json",
                }
            ],
        }

    def _activity(self, rng: random.Random, moment: datetime) -> dict[str, Any]:
        action = rng.choices(["open", "click", "bounce"], weights=[70, 25, 5])[0]
        item: dict[str, Any] = {"action": action, "timestamp": fmt_offset(moment)}
        if action == "bounce":
            item["type"] = rng.choice(["hard", "soft"])
        if action == "click":
            item["url"] = f"https://www.example.com/offer/{rng.randint(1, 9)}"
        item["ip"] = f"203.0.113.{rng.randint(1, 254)}"
        return item

    def _make_mailchimp_email_activity(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        _, _, email = self._person(rng, n, tag="r")
        count = rng.choices([0, 1, 2, 3, 4], weights=[15, 40, 25, 12, 8])[0]
        span = max((changed - created).total_seconds(), 1)
        offsets = sorted(int(rng.random() * span) for _ in range(count))
        # one email's activities are at distinct seconds: (email_id, action, timestamp) is unique
        moments = [created + timedelta(seconds=s + i) for i, s in enumerate(offsets)]
        email_id = _md5(email)
        return {
            "campaign_id": self.campaign_id,
            "list_id": self.list_id,
            "list_is_active": True,
            "email_id": email_id,
            "email_address": email,
            "activity": [self._activity(rng, m) for m in moments],
            "_links": [
                {
                    "rel": "self",
                    "href": f"https://{self.dc}.api.mailchimp.com/3.0/reports/{self.campaign_id}/email-activity/{email_id}",
                    "method": "GET",
                }
            ],
        }

    def _make_zendesk_users(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n, tag="z")
        user_id = 1500000000000 + n * 7919
        role = rng.choices(["end-user", "agent", "admin"], weights=[80, 15, 5])[0]
        tz_name, iana = rng.choice(_TIMEZONES)
        staff = role != "end-user"
        return {
            "id": user_id,
            "url": f"https://{self.subdomain}.zendesk.com/api/v2/users/{user_id}.json",
            "name": f"{first} {last}",
            "email": email,
            "created_at": fmt_z(created),
            "updated_at": fmt_z(changed),
            "time_zone": tz_name,
            "iana_time_zone": iana,
            "locale": "en-US",
            "locale_id": 1,
            "organization_id": rng.choice([None, 360000123451, 360000123452, 360000123453]),
            "role": role,
            "verified": rng.random() < 0.8,
            "active": True,
            "shared": False,
            "shared_agent": False,
            "tags": rng.sample(["vip", "trial", "enterprise", "churn-risk"], rng.randint(0, 2)),
            "suspended": rng.random() < 0.02,
            "restricted_agent": role != "admin",
            "moderator": role == "admin",
            "only_private_comments": False,
            "report_csv": role == "admin",
            "ticket_restriction": "requested" if not staff else (None if role == "admin" else "groups"),
            "two_factor_auth_enabled": (rng.random() < 0.5) if staff else None,
            "result_type": "user",
        }

    def _make_segment_sources(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        slug, kind_name, category = rng.choice(_SOURCE_KINDS)
        return {
            "id": _b62(rng, 22),
            "slug": f"{slug}-{n + 1}",
            "name": f"{kind_name} source {n + 1}",
            "workspaceId": self.workspace_id,
            "enabled": rng.random() < 0.85,
            "writeKeys": [_b62(rng, 32)],
            "metadata": {
                "id": _b62(rng, 10),
                "slug": slug,
                "name": kind_name,
                "categories": [category],
                "description": f"Send events from {kind_name} to Segment.",
                "logos": {
                    "default": f"https://cdn.filepicker.io/api/file/{_b62(rng, 20)}",
                    "mark": "",
                    "alt": "",
                },
                "options": [],
                "isCloudEventSource": False,
            },
            "settings": {},
            "labels": [{"key": "environment", "value": rng.choice(["prod", "dev", "staging"])}],
        }

    def _make_segment_audit_events(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        sources = self.data.get("segment_sources") or []
        source = rng.choice(sources) if sources else None
        actor_first, actor_last, actor_email = self._person(rng, n % 7, tag="a")
        moment = created + timedelta(milliseconds=rng.randint(0, 999))
        return {
            "id": _b62(rng, 27),
            "timestamp": fmt_ms(moment),
            "type": rng.choice(_AUDIT_TYPES),
            "actor": f"{actor_first} {actor_last}",
            "actorEmail": actor_email,
            "resourceId": source["id"] if source else _b62(rng, 22),
            "resourceType": "Source",
            "resourceName": source["name"] if source else "Source",
        }

    def _make_hubspot_contacts(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n, tag="h")
        contact_id = str(1001 + n)
        created_s = fmt_ms(created + timedelta(milliseconds=rng.randint(0, 999)))
        changed_s = fmt_ms(changed + timedelta(milliseconds=rng.randint(0, 999)))
        return {
            "id": contact_id,
            "properties": {
                "createdate": created_s,
                "email": email,
                "firstname": first,
                "hs_object_id": contact_id,
                "lastmodifieddate": changed_s,
                "lastname": last,
            },
            "createdAt": created_s,
            "updatedAt": changed_s,
            "archived": False,
        }

    def _make_helpscout_conversations(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n, tag="c")
        conv_id = 2000000000 + n * 17
        number = 1001 + n
        status = rng.choices(["active", "pending", "closed", "spam"], weights=[35, 15, 45, 5])[0]
        customer_id = 300000000 + n * 3
        mailbox = rng.choice([101, 102])
        customer = {
            "id": customer_id,
            "type": "customer",
            "first": first,
            "last": last,
            "email": email,
        }
        record: dict[str, Any] = {
            "id": conv_id,
            "number": number,
            "threads": rng.randint(1, 8),
            "type": rng.choices(["email", "chat", "phone"], weights=[80, 15, 5])[0],
            "folderId": 5000000 + mailbox,
            "status": status,
            "state": "published",
            "subject": rng.choice(_SUBJECTS),
            "preview": "Hello, I need some help with my account...",
            "mailboxId": mailbox,
            "createdBy": {"id": customer_id, "type": "customer", "email": email},
            "createdAt": fmt_z(created),
            "closedBy": 0,
            "userUpdatedAt": fmt_z(changed),
            "customerWaitingSince": {"time": fmt_z(changed), "friendly": "recently"},
            "source": {"type": "email", "via": "customer"},
            "tags": [{"id": 9001, "color": "#929499", "tag": "billing"}] if rng.random() < 0.3 else [],
            "cc": [],
            "bcc": [],
            "primaryCustomer": customer,
            "customFields": [],
            "_links": {
                "self": {"href": f"https://api.helpscout.net/v2/conversations/{conv_id}"},
                "mailbox": {"href": f"https://api.helpscout.net/v2/mailboxes/{mailbox}"},
                "primaryCustomer": {"href": f"https://api.helpscout.net/v2/customers/{customer_id}"},
                "threads": {"href": f"https://api.helpscout.net/v2/conversations/{conv_id}/threads/"},
                "web": {"href": f"https://secure.helpscout.net/conversation/{conv_id}/{number}/"},
            },
        }
        if status == "closed":
            record["closedBy"] = 4001
            record["closedAt"] = fmt_z(changed)
        if rng.random() < 0.7:
            record["assignee"] = {
                "id": 4001,
                "type": "user",
                "first": "Grace",
                "last": "Hopper",
                "email": "grace.hopper@example.com",
            }
        return record

    # ---------------------------------------------------------------- tick / reset

    def tick(
        self, now: datetime | str | None = None, *, updates: int = 5, adds: int = 3
    ) -> dict[str, dict[str, list[Any]]]:
        """Change the data as time passes: per dataset, ``updates`` existing records get their
        change timestamp set to ``now`` (default: the real clock) and ``adds`` new records are
        created at ``now``. Returns ``{dataset: {"updated": [ids], "added": [ids]}}``.

        Segment sources have no timestamp: updated ones are renamed or toggled, and every
        source change also appends a Segment audit event at ``now``.
        """
        moment = to_utc(now)
        with self._lock:
            self.ticks += 1
            rng = random.Random(f"tick:{self.seed}:{self.ticks}")
            changes: dict[str, dict[str, list[Any]]] = {}
            for name in DATASETS:
                if name == "segment_audit_events":
                    continue
                changes[name] = self._tick_dataset(name, rng, moment, updates, adds)
            source_changes = changes["segment_sources"]["updated"] + changes["segment_sources"]["added"]
            added_events = []
            by_id = {s["id"]: s for s in self.data["segment_sources"]}
            for source_id in source_changes:
                event = self._make("segment_audit_events", rng, moment, moment)
                source = by_id[source_id]
                event["resourceId"] = source_id
                event["resourceName"] = source["name"]
                created = source_id in changes["segment_sources"]["added"]
                event["type"] = "Source Created" if created else "Source Modified"
                event["timestamp"] = fmt_ms(moment)
                self.data["segment_audit_events"].insert(0, event)
                added_events.append(event["id"])
            changes["segment_audit_events"] = {"updated": [], "added": added_events}
            self._save_state()
            return changes

    def _tick_dataset(
        self, name: str, rng: random.Random, moment: datetime, updates: int, adds: int
    ) -> dict[str, list[Any]]:
        rows = self.data[name]
        key = ID_KEYS[name]
        picked = rng.sample(range(len(rows)), min(updates, len(rows)))
        updated = []
        for index in picked:
            row = rows[index]
            self._touch(name, row, rng, moment)
            updated.append(row[key])
        added = []
        for _ in range(adds):
            row = self._make(name, rng, moment, moment)
            if name == "mailchimp_email_activity":
                row["activity"] = [self._activity(rng, moment)]
            rows.append(row)
            added.append(row[key])
        return {"updated": updated, "added": added}

    def _touch(self, name: str, row: dict[str, Any], rng: random.Random, moment: datetime) -> None:
        if name == "mailchimp_members":
            row["last_changed"] = fmt_offset(moment)
            row["status"] = "unsubscribed" if row["status"] == "subscribed" else "subscribed"
            row["stats"]["avg_open_rate"] = round(rng.random(), 2)
        elif name == "mailchimp_email_activity":
            seen = {(a["action"], a["timestamp"]) for a in row["activity"]}
            activity = self._activity(rng, moment)
            for action in ("open", "click", "bounce"):
                if (activity["action"], activity["timestamp"]) not in seen:
                    break
                activity = {**activity, "action": action}
            if (activity["action"], activity["timestamp"]) not in seen:
                row["activity"].append(activity)
        elif name == "zendesk_users":
            row["updated_at"] = fmt_z(moment)
            row["verified"] = True
            row["tags"] = sorted({*row["tags"], "updated"})
        elif name == "segment_sources":
            row["enabled"] = not row["enabled"]
            row["name"] = row["name"].split(" (")[0] + f" ({'on' if row['enabled'] else 'off'})"
        elif name == "hubspot_contacts":
            stamp = fmt_ms(moment)
            row["updatedAt"] = stamp
            row["properties"]["lastmodifieddate"] = stamp
        elif name == "helpscout_conversations":
            row["userUpdatedAt"] = fmt_z(moment)
            row["customerWaitingSince"] = {"time": fmt_z(moment), "friendly": "just now"}
            row["threads"] += 1
            if row["status"] == "closed":
                row["status"] = "active"
                row.pop("closedAt", None)
                row["closedBy"] = 0

    def reset(self) -> None:
        """Regenerate the data from the seed (``now`` = the constructor's, else the real clock)."""
        with self._lock:
            self._generate()
            self._save_state()
        self.clear_requests()

    # ---------------------------------------------------------------- state file

    def _save_state(self) -> None:
        if not self.state_file:
            return
        state = {
            "version": 1,
            "seed": self.seed,
            "ticks": self.ticks,
            "counters": self._counters,
            "data": self.data,
        }
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_file)

    def _load_state(self) -> None:
        assert self.state_file is not None
        state = json.loads(self.state_file.read_text())
        self.ticks = int(state["ticks"])
        self._counters = {k: int(v) for k, v in state["counters"].items()}
        self.data = {name: list(state["data"][name]) for name in DATASETS}

    # ---------------------------------------------------------------- admin endpoints

    def _admin(self, method: str, path: str, params: dict[str, list[str]], body: str) -> Any:
        route = path[len("/_demo/") :].strip("/")
        if route == "health" and method == "GET":
            return {"ok": True, "url": self.url, "ticks": self.ticks}
        if route == "params" and method == "GET":
            return self.params
        if route == "config" and method == "GET":
            return self.tap_config()
        if route == "requests" and method == "GET":
            return self.requests
        if route == "requests" and method == "DELETE":
            count = len(self.requests)
            self.clear_requests()
            return {"cleared": count}
        if route == "tick" and method == "POST":
            options = json.loads(body) if body.strip() else {}
            now = options.get("now") or _last(params, "now")
            updates = int(options.get("updates", _last(params, "updates") or 5))
            adds = int(options.get("adds", _last(params, "adds") or 3))
            moment = to_utc(now)
            changed = self.tick(moment, updates=updates, adds=adds)
            return {"now": fmt_ms(moment), "changed": changed}
        if route == "reset" and method == "POST":
            self.reset()
            return {"reset": True}
        if route.startswith("data/") and method == "GET":
            name = route[len("data/") :]
            if name not in DATASETS:
                raise ApiError(404, {"error": f"unknown dataset {name!r}"})
            return self.records(name)
        raise ApiError(404, {"error": f"unknown admin endpoint {method} {path}"})

    # ---------------------------------------------------------------- API routing

    _ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
        ("GET", re.compile(r"^/3\.0/lists/(?P<arg>[^/]+)/members/?$"), "_mc_members"),
        ("GET", re.compile(r"^/3\.0/reports/(?P<arg>[^/]+)/email-activity/?$"), "_mc_activity"),
        ("GET", re.compile(r"^/api/v2/search/export(?:\.json)?/?$"), "_zendesk_export"),
        ("GET", re.compile(r"^/sources/?$"), "_segment_sources"),
        ("GET", re.compile(r"^/audit-events/?$"), "_segment_audit"),
        ("GET", re.compile(r"^/crm/v3/objects/contacts/?$"), "_hubspot_contacts"),
        ("GET", re.compile(r"^/v2/conversations/?$"), "_helpscout_conversations"),
        ("POST", re.compile(r"^/v2/oauth2/token/?$"), "_helpscout_token"),
    )

    def _route(self, req: _Request) -> Any:
        for method, pattern, handler in self._ROUTES:
            match = pattern.match(req.path)
            if not match:
                continue
            if req.method != method:
                raise ApiError(
                    405,
                    {"error": "Method Not Allowed", "allowed": method},
                    headers={"Allow": method},
                )
            arg = match.groupdict().get("arg")
            func = getattr(self, handler)
            return func(req, arg) if arg is not None else func(req)
        raise _not_found(req.path)

    # -- Mailchimp

    def _mc_auth(self, req: _Request) -> None:
        scheme, cred = _auth_scheme(req.headers)
        if not scheme:
            raise _mailchimp_error(401, "API Key Missing", "Your request did not include an API key.")
        if scheme == "basic":
            pair = _basic_pair(cred)
            if pair and pair[1]:
                return
        elif scheme in ("bearer", "oauth", "apikey") and cred:
            return
        raise _mailchimp_error(
            401,
            "API Key Invalid",
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
        )

    def _mc_paging(self, req: _Request) -> tuple[int, int]:
        values = []
        for name, default in (("count", 10), ("offset", 0)):
            raw = req.q(name)
            try:
                value = default if raw is None else int(raw)
            except ValueError:
                raise _mailchimp_error(400, "Invalid Resource", f"{name} must be an integer") from None
            values.append(value)
        count, offset = values
        if not 0 <= count <= 1000:
            raise _mailchimp_error(400, "Invalid Resource", "count must be between 0 and 1000")
        if offset < 0:
            raise _mailchimp_error(400, "Invalid Resource", "offset must be a positive integer")
        return count, offset

    def _mc_time(self, req: _Request, name: str) -> float | None:
        raw = req.q(name)
        if raw is None:
            return None
        try:
            return parse_time(raw).timestamp()
        except ValueError:
            raise _mailchimp_error(
                400,
                "Invalid Resource",
                f"The resource submitted could not be validated. {name}: {raw!r} is not a "
                "valid ISO 8601 date-time (for example 2015-10-21T15:41:36+00:00)",
            ) from None

    def _mc_members(self, req: _Request, list_id: str) -> Any:
        self._mc_auth(req)
        if list_id != self.list_id:
            raise _mailchimp_error(404, "Resource Not Found", "The requested resource could not be found.")
        count, offset = self._mc_paging(req)
        since = self._mc_time(req, "since_last_changed")
        before = self._mc_time(req, "before_last_changed")
        status = req.q("status")
        with self._lock:
            rows = [
                m
                for m in self.data["mailchimp_members"]
                if (since is None or _epoch(m["last_changed"]) >= since)
                and (before is None or _epoch(m["last_changed"]) < before)
                and (not status or m["status"] == status)
            ]
            return {
                "members": rows[offset : offset + count],
                "list_id": list_id,
                "total_items": len(rows),
                "_links": [
                    {"rel": "self", "href": req.link(req.path, []), "method": "GET"},
                    {
                        "rel": "parent",
                        "href": req.link(f"/3.0/lists/{list_id}", []),
                        "method": "GET",
                    },
                ],
            }

    def _mc_activity(self, req: _Request, campaign_id: str) -> Any:
        self._mc_auth(req)
        if campaign_id != self.campaign_id:
            raise _mailchimp_error(404, "Resource Not Found", "The requested resource could not be found.")
        count, offset = self._mc_paging(req)
        since = self._mc_time(req, "since")
        with self._lock:
            emails = self.data["mailchimp_email_activity"]
            if since is not None:
                emails = [
                    {**e, "activity": [a for a in e["activity"] if _epoch(a["timestamp"]) > since]}
                    for e in emails
                ]
            return {
                "emails": emails[offset : offset + count],
                "campaign_id": campaign_id,
                "total_items": len(emails),
                "_links": [{"rel": "self", "href": req.link(req.path, []), "method": "GET"}],
            }

    # -- Zendesk

    _ZQ_RE = re.compile(r"([A-Za-z_]+)\s*(>=|<=|>|<|:)\s*(\"[^\"]*\"|\S+)")

    def _zendesk_auth(self, req: _Request) -> None:
        scheme, cred = _auth_scheme(req.headers)
        if scheme == "basic":
            pair = _basic_pair(cred)
            if pair and pair[0] and pair[1]:
                return
        elif scheme == "bearer" and cred:
            return
        raise ApiError(401, {"error": "Couldn't authenticate you"})

    def _zendesk_filters(self, query: str) -> list[Callable[[dict[str, Any]], bool]]:
        tests: list[Callable[[dict[str, Any]], bool]] = []
        for field, op, raw in self._ZQ_RE.findall(query):
            value = raw.strip('"')
            if field == "type":
                if value != "user":
                    tests.append(lambda _row: False)
                continue
            if field not in ("updated", "created"):
                continue
            try:
                bound = parse_time(value).timestamp()
            except ValueError:
                raise _zendesk_error(
                    400, "Invalid search", f"Invalid date in query: {field}{op}{value}"
                ) from None
            column = "updated_at" if field == "updated" else "created_at"
            compare: dict[str, Callable[[float, float], bool]] = {
                ">": lambda a, b: a > b,
                "<": lambda a, b: a < b,
                ">=": lambda a, b: a >= b,
                "<=": lambda a, b: a <= b,
                ":": lambda a, b: int(a // 86400) == int(b // 86400),
            }
            tests.append(functools.partial(_zendesk_test, column, compare[op], bound))
        return tests

    def _zendesk_export(self, req: _Request) -> Any:
        self._zendesk_auth(req)
        kind = req.q("filter[type]")
        if not kind:
            raise _zendesk_error(400, "Invalid search", "filter[type] is required")
        if kind not in ("ticket", "user", "organization", "group"):
            raise _zendesk_error(400, "Invalid search", f"filter[type] {kind!r} is not supported")
        query = req.q("query")
        if query is None:
            raise _zendesk_error(400, "Invalid search", "query is required")
        raw_size = req.q("page[size]") or "100"
        try:
            size = int(raw_size)
        except ValueError:
            raise _zendesk_error(400, "Invalid attribute", "page[size] must be an integer") from None
        if not 1 <= size <= 1000:
            raise _zendesk_error(400, "Invalid attribute", "page[size] must be between 1 and 1000")
        after = req.q("page[after]")
        position: tuple[float, int] | None = None
        if after:
            try:
                cursor = json.loads(_unb64(after))
                position = (_epoch(cursor["value"]), int(cursor["id"]))
            except (ValueError, KeyError, TypeError):
                raise _zendesk_error(400, "Invalid attribute", "page[after] is not a valid cursor") from None
        tests = self._zendesk_filters(query)
        with self._lock:
            rows = self.data["zendesk_users"] if kind == "user" else []
            rows = sorted(
                (r for r in rows if all(t(r) for t in tests)),
                key=lambda r: (_epoch(r["created_at"]), r["id"]),
            )
            if position is not None:
                rows = [r for r in rows if (_epoch(r["created_at"]), r["id"]) > position]
            page = rows[:size]
            has_more = len(rows) > size
            after_cursor = None
            if page:
                last = page[-1]
                after_cursor = _b64(
                    json.dumps(
                        {
                            "field": "created_at",
                            "desc": False,
                            "value": last["created_at"],
                            "id": last["id"],
                        },
                        separators=(",", ":"),
                    )
                )
            next_link = (
                req.link(
                    "/api/v2/search/export.json",
                    [*req.kept("page[after]"), ("page[after]", after_cursor)],
                )
                if after_cursor
                else None
            )
            return {
                "results": page,
                "facets": None,
                "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": None},
                "links": {"prev": None, "next": next_link},
            }

    # -- Segment

    def _segment_auth(self, req: _Request) -> None:
        scheme, cred = _auth_scheme(req.headers)
        if scheme != "bearer" or not cred:
            raise _segment_error(401, "unauthorized", "Unauthorized: a valid Public API token is required")

    def _segment_page(self, req: _Request, rows: list[dict[str, Any]], key: str) -> Any:
        raw_count = req.q("pagination.count")
        if raw_count is None:
            raise _segment_error(
                422, "input-validation", '"pagination.count" is required', "pagination.count"
            )
        try:
            count = int(raw_count)
        except ValueError:
            count = 0
        if not 1 <= count <= 1000:
            raise _segment_error(
                422,
                "input-validation",
                '"pagination.count" must be between 1 and 1000',
                "pagination.count",
            )
        cursor = req.q("pagination.cursor")
        offset = 0
        if cursor:
            try:
                offset = int(_unb64(cursor))
            except ValueError:
                raise _segment_error(
                    422, "input-validation", "Invalid pagination cursor", "pagination.cursor"
                ) from None
        page = rows[offset : offset + count]
        after = offset + len(page)
        return {
            "data": {
                key: page,
                "pagination": {
                    "current": _b64(str(offset)),
                    "next": _b64(str(after)) if after < len(rows) else None,
                    "previous": _b64(str(max(offset - count, 0))) if offset > 0 else None,
                    "totalEntries": len(rows),
                },
            }
        }

    def _segment_sources(self, req: _Request) -> Any:
        self._segment_auth(req)
        with self._lock:
            return self._segment_page(req, self.data["segment_sources"], "sources")

    def _segment_audit(self, req: _Request) -> Any:
        self._segment_auth(req)
        bounds: list[float | None] = []
        for name in ("startTime", "endTime"):
            raw = req.q(name)
            if raw is None:
                bounds.append(None)
                continue
            try:
                bounds.append(parse_time(raw).timestamp())
            except ValueError:
                raise _segment_error(
                    422, "input-validation", f'"{name}" must be a valid ISO 8601 date-time', name
                ) from None
        start, end = bounds
        resource_id = req.q("resourceId")
        resource_type = req.q("resourceType")
        with self._lock:
            rows = [
                e
                for e in self.data["segment_audit_events"]
                if (start is None or _epoch(e["timestamp"]) >= start)
                and (end is None or _epoch(e["timestamp"]) < end)
                and (not resource_id or e["resourceId"] == resource_id)
                and (not resource_type or e["resourceType"].lower() == resource_type.lower())
            ]
            return self._segment_page(req, rows, "events")

    # -- HubSpot

    def _hubspot_contacts(self, req: _Request) -> Any:
        scheme, cred = _auth_scheme(req.headers)
        if scheme != "bearer" or not cred:
            raise _hubspot_error(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication "
                "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            )
        raw_limit = req.q("limit") or "10"
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            raise _hubspot_error(400, "VALIDATION_ERROR", f"limit must be between 1 and 100, got {raw_limit}")
        after = req.q("after")
        try:
            start = int(after) if after else 0
        except ValueError:
            raise _hubspot_error(400, "VALIDATION_ERROR", f"Invalid after: {after}") from None
        wanted = [p for v in req.params.get("properties", []) for p in v.split(",") if p]
        archived = (req.q("archived") or "false").lower() == "true"
        with self._lock:
            rows = [] if archived else [c for c in self.data["hubspot_contacts"] if int(c["id"]) >= start]
            page = rows[:limit]
            if wanted:
                page = [{**c, "properties": {p: c["properties"].get(p) for p in wanted}} for c in page]
            result: dict[str, Any] = {"results": page}
            if len(rows) > limit:
                token = str(int(rows[limit - 1]["id"]) + 1)
                result["paging"] = {
                    "next": {
                        "after": token,
                        "link": req.link(req.path, [*req.kept("after"), ("after", token)]),
                    }
                }
            return result

    # -- Help Scout

    def _helpscout_auth(self, req: _Request) -> None:
        scheme, cred = _auth_scheme(req.headers)
        ok = scheme == "bearer" and bool(cred)
        if ok and self.strict_tokens:
            with self._lock:
                ok = cred in self._tokens
        if not ok:
            raise _helpscout_error(401, "Unauthorized: invalid or expired access token")

    _HS_SORT: ClassVar[Mapping[str, Callable[[dict[str, Any]], Any]]] = {
        "createdAt": lambda c: (_epoch(c["createdAt"]), c["id"]),
        "modifiedAt": lambda c: (_epoch(c["userUpdatedAt"]), c["id"]),
        "number": lambda c: c["number"],
        "status": lambda c: (c["status"], c["id"]),
        "subject": lambda c: (c["subject"], c["id"]),
        "customerEmail": lambda c: (c["primaryCustomer"]["email"], c["id"]),
        "customerName": lambda c: (
            c["primaryCustomer"]["last"],
            c["primaryCustomer"]["first"],
            c["id"],
        ),
        "mailboxid": lambda c: (c["mailboxId"], c["id"]),
        "waitingSince": lambda c: (_epoch(c["customerWaitingSince"]["time"]), c["id"]),
    }

    def _helpscout_conversations(self, req: _Request) -> Any:
        self._helpscout_auth(req)
        status = req.q("status") or "active"
        allowed = ("active", "pending", "closed", "spam", "open", "all")
        statuses = [s for s in status.split(",") if s]
        for item in statuses:
            if item not in allowed:
                raise _helpscout_error(
                    400,
                    "Bad request",
                    [
                        {
                            "path": "status",
                            "message": f"Expected one of these: {', '.join(allowed)}",
                            "rejectedValue": item,
                            "source": "QUERY",
                        }
                    ],
                )
        if "open" in statuses:
            statuses += ["active", "pending"]
        sort_field = req.q("sortField") or "createdAt"
        sort_order = (req.q("sortOrder") or "desc").lower()
        if sort_field not in self._HS_SORT or sort_order not in ("asc", "desc"):
            raise _helpscout_error(
                400,
                "Bad request",
                [
                    {
                        "path": "sortField",
                        "message": "Invalid sort",
                        "rejectedValue": sort_field,
                        "source": "QUERY",
                    }
                ],
            )
        try:
            page_no = int(req.q("page") or "1")
        except ValueError:
            page_no = 0
        if page_no < 1:
            raise _helpscout_error(
                400,
                "Bad request",
                [
                    {
                        "path": "page",
                        "message": "must be greater than or equal to 1",
                        "source": "QUERY",
                    }
                ],
            )
        since = None
        if req.q("modifiedSince"):
            try:
                since = parse_time(req.q("modifiedSince") or "").timestamp()
            except ValueError:
                raise _helpscout_error(
                    400,
                    "Bad request",
                    [
                        {
                            "path": "modifiedSince",
                            "message": "Malformed date: expected yyyy-MM-dd'T'HH:mm:ss'Z'",
                            "source": "QUERY",
                        }
                    ],
                ) from None
        mailboxes = {
            int(m) for v in req.params.get("mailbox", []) for m in v.split(",") if m.strip().isdigit()
        }
        with self._lock:
            rows = [
                c
                for c in self.data["helpscout_conversations"]
                if ("all" in statuses or c["status"] in statuses)
                and (since is None or _epoch(c["userUpdatedAt"]) >= since)
                and (not mailboxes or c["mailboxId"] in mailboxes)
            ]
            rows.sort(key=self._HS_SORT[sort_field], reverse=sort_order == "desc")
            total = len(rows)
            pages = (total + HELPSCOUT_PAGE_SIZE - 1) // HELPSCOUT_PAGE_SIZE
            start = (page_no - 1) * HELPSCOUT_PAGE_SIZE
            page = rows[start : start + HELPSCOUT_PAGE_SIZE]
            kept = req.kept("page")

            def link(n: int) -> dict[str, str]:
                return {"href": req.link(req.path, [*kept, ("page", str(n))])}

            links: dict[str, Any] = {
                "self": link(page_no),
                "first": link(1),
                "last": link(max(pages, 1)),
            }
            if page_no < pages:
                links["next"] = link(page_no + 1)
            if 1 < page_no <= pages + 1:
                links["previous"] = link(page_no - 1)
            links["page"] = {"href": req.link(req.path, kept) + "{?page}", "templated": True}
            return {
                "_embedded": {"conversations": page},
                "_links": links,
                "page": {
                    "size": HELPSCOUT_PAGE_SIZE,
                    "totalElements": total,
                    "totalPages": pages,
                    "number": page_no,
                },
            }

    def _helpscout_token(self, req: _Request) -> Any:
        fields: dict[str, str] = {k: v[-1] for k, v in req.params.items() if v}
        content_type = (req.headers.get("Content-Type") or "").lower()
        if req.body.strip():
            if "json" in content_type:
                try:
                    parsed = json.loads(req.body)
                except ValueError:
                    parsed = {}
                if isinstance(parsed, dict):
                    fields.update({k: str(v) for k, v in parsed.items()})
            else:
                fields.update({k: v[-1] for k, v in parse_qs(req.body, keep_blank_values=True).items()})
        grant = fields.get("grant_type")
        if grant not in ("refresh_token", "client_credentials", "authorization_code"):
            raise ApiError(
                400,
                {"error": "unsupported_grant_type", "error_description": f"grant_type {grant!r}"},
            )
        if not fields.get("client_id") or not fields.get("client_secret"):
            raise ApiError(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
        if grant == "refresh_token" and not fields.get("refresh_token"):
            raise ApiError(400, {"error": "invalid_request", "error_description": "Missing refresh_token"})
        if grant == "authorization_code" and not fields.get("code"):
            raise ApiError(400, {"error": "invalid_request", "error_description": "Missing code"})
        token = self.issue_token()
        if grant == "client_credentials":
            token.pop("refresh_token")
        return token


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state-file", help="keep the data here, across restarts")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    for name, default in (
        ("members", 250),
        ("emails", 120),
        ("users", 300),
        ("sources", 45),
        ("audit-events", 500),
        ("contacts", 230),
        ("conversations", 110),
    ):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args(argv)
    api = DemoAPI(
        args.port,
        host=args.host,
        seed=args.seed,
        members=args.members,
        emails=args.emails,
        users=args.users,
        sources=args.sources,
        audit_events=args.audit_events,
        contacts=args.contacts,
        conversations=args.conversations,
        state_file=args.state_file,
        verbose=args.verbose,
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
