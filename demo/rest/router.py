"""The router: every vendor's endpoints, the list flow for the list endpoints, and each API's
own shape for a 404, a 405 and an injected fault.
"""

from __future__ import annotations

from collections.abc import Sequence

from demo.core.messages import ApiError, Reply, Request
from demo.core.server import Fault
from demo.data.store import Store
from demo.rest.endpoint import authorize, list_records
from demo.rest.errors import ErrorShapes
from demo.rest.vendor import Vendor


class Router:
    """Answers API requests from the vendors' endpoints, in the vendors' order."""

    def __init__(self, store: Store, vendors: Sequence[Vendor]) -> None:
        self.store = store
        self.vendors = tuple(vendors)
        self.endpoints = tuple(e for vendor in vendors for e in vendor.endpoints())

    def answer(self, request: Request) -> Reply:
        """The endpoint's answer (404 and 405 in the API's own shape)."""
        path = request.route
        allowed = []
        for endpoint in self.endpoints:
            match = endpoint.pattern.match(path)
            if not match:
                continue
            if request.method != endpoint.method:
                allowed.append(endpoint.method)
                continue
            authorize(endpoint, request)
            if endpoint.handler is not None:
                return endpoint.handler(request)
            return list_records(endpoint, request, self.store, match.groupdict().get("arg"))
        if allowed:
            allow = ", ".join(allowed)
            raise ApiError(405, {"error": "Method Not Allowed", "allowed": allow}, {"Allow": allow})
        raise self.owner(path).not_found(path)

    def fault(self, request: Request, fault: Fault) -> Reply:
        """An injected fault's answer, in the shape of the API that owns the path."""
        return self.errors_for(request.route).fault(request, fault)

    def errors_for(self, path: str) -> ErrorShapes:
        """The error shapes of the endpoint that matches the path, else of its owner."""
        for endpoint in self.endpoints:
            if endpoint.pattern.match(path):
                return endpoint.errors
        return self.owner(path)

    def owner(self, path: str) -> Vendor:
        """The vendor with the longest ``prefix`` the path starts with."""
        claims = [v for v in self.vendors if path.startswith(v.prefix)]
        if not claims:
            raise ApiError(404, {"error": "Resource not found"})
        return max(claims, key=lambda v: len(v.prefix))
