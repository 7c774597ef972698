"""The demo's own admin endpoints under ``/_demo/`` (never logged, never faulted).

``GET health``, ``GET params``, ``GET config`` (a tap config for this demo),
``GET|DELETE requests``, ``POST tick`` (JSON or query: ``now``, ``updates``, ``adds``),
``POST reset``, ``GET data/<dataset>``, ``GET|POST settings`` (JSON: the vendors' switches,
``hubspot_links`` ``"absolute"``/``"relative"``, ``strict_tokens``), ``POST fail`` (JSON: the arguments of
``DemoAPI.fail_next``), ``POST delete`` (JSON: ``dataset``, ``id``, optional ``now``: a record
deleted at the source, see ``DemoAPI.delete``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from demo.core.messages import ApiError, Reply, Request, json_reply
from demo.data.times import fmt_ms, to_utc

PREFIX = "/_demo/"
FAULT_FIELDS = ("count", "status", "path", "retry_after", "body", "drop", "cut", "delay", "ms_before_next")


class Host(Protocol):
    """What the admin endpoints work on (``DemoAPI``)."""

    @property
    def url(self) -> str: ...

    @property
    def ticks(self) -> int: ...

    @property
    def params(self) -> dict[str, Any]: ...

    @property
    def datasets(self) -> Sequence[str]: ...

    @property
    def requests(self) -> list[dict[str, Any]]: ...

    def tap_config(self, **extra: Any) -> dict[str, Any]: ...

    def clear_requests(self) -> int: ...

    def tick(
        self, now: datetime | str | None = None, *, updates: int = 5, adds: int = 3
    ) -> dict[str, dict[str, list[Any]]]: ...

    def reset(self) -> None: ...

    def records(self, dataset: str) -> list[Any]: ...

    def delete(
        self, dataset: str, record_id: Any, now: datetime | str | None = None
    ) -> dict[str, list[Any]]: ...

    def switches(self) -> dict[str, Any]: ...

    def change(self, **switches: Any) -> None: ...

    @property
    def fail_next(self) -> Callable[..., None]:
        """``DemoAPI.fail_next``."""
        ...


def _options(request: Request) -> dict[str, Any]:
    if not request.text.strip():
        return {}
    try:
        options = json.loads(request.text)
    except ValueError:
        raise ApiError(400, {"error": "the body must be a JSON object"}) from None
    if not isinstance(options, dict):
        raise ApiError(400, {"error": "the body must be a JSON object"})
    return options


def handle(api: Host, request: Request) -> Reply:
    """Answer one admin request."""
    return json_reply(_answer(api, request))


def _answer(api: Host, request: Request) -> Any:
    route, method = request.route[len(PREFIX) :].strip("/"), request.method
    if method == "GET" and route == "health":
        return {"ok": True, "url": api.url, "ticks": api.ticks}
    if method == "GET" and route == "params":
        return api.params
    if method == "GET" and route == "config":
        return api.tap_config()
    if route == "requests" and method in ("GET", "DELETE"):
        if method == "GET":
            return api.requests
        return {"cleared": api.clear_requests()}
    if method == "POST" and route == "tick":
        options = _options(request)
        moment = to_utc(options.get("now") or request.q("now"))
        updates = int(options.get("updates", request.q("updates") or 5))
        adds = int(options.get("adds", request.q("adds") or 3))
        return {"now": fmt_ms(moment), "changed": api.tick(moment, updates=updates, adds=adds)}
    if method == "POST" and route == "reset":
        api.reset()
        return {"reset": True}
    if method == "GET" and route.startswith("data/"):
        name = route[len("data/") :]
        if name not in api.datasets:
            raise ApiError(404, {"error": f"unknown dataset {name!r}"})
        return api.records(name)
    if route == "settings" and method in ("GET", "POST"):
        if method == "POST":
            try:
                api.change(**_options(request))
            except ValueError as err:
                raise ApiError(400, {"error": str(err)}) from None
        return api.switches()
    if method == "POST" and route == "delete":
        options = _options(request)
        if options.get("dataset") not in api.datasets or "id" not in options:
            raise ApiError(400, {"error": "give a known dataset and the id of one of its records"})
        try:
            return {"deleted": api.delete(options["dataset"], options["id"], options.get("now"))}
        except LookupError as err:
            raise ApiError(404, {"error": str(err)}) from None
    if method == "POST" and route == "fail":
        options = _options(request)
        unknown = sorted(set(options) - set(FAULT_FIELDS))
        if unknown:
            raise ApiError(400, {"error": f"unknown fault fields: {', '.join(unknown)}"})
        api.fail_next(**options)
        return {"queued": options.get("count", 1)}
    raise ApiError(404, {"error": f"unknown admin endpoint {method} {request.route}"})
