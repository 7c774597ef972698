"""An OAuth 2.0 token endpoint (RFC 6749): the tokens it issued, its answers and its errors.

``TokenEndpoint(path, tokens).endpoint()`` serves ``POST <path>`` with form or JSON fields:
``grant_type`` ``refresh_token``, ``client_credentials`` or ``authorization_code``, with
``client_id`` and ``client_secret``. Errors are RFC 6749 section 5.2 bodies (``OAuthErrors``).
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any
from urllib.parse import parse_qs

from demo.core.messages import ApiError, Reply, Request, json_reply
from demo.rest.endpoint import Endpoint
from demo.rest.errors import ErrorShapes

GRANTS = ("refresh_token", "client_credentials", "authorization_code")


class OAuthErrors(ErrorShapes):
    """RFC 6749 section 5.2 error bodies: ``error`` (a code) and ``error_description``."""

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        return ApiError(status, {"error": extra.pop("code", "invalid_request"), "error_description": message})


class Tokens:
    """The access tokens an API issued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: set[str] = set()

    def issue(self) -> dict[str, Any]:
        token = uuid.uuid4().hex
        with self._lock:
            self._issued.add(token)
        return {
            "token_type": "bearer",
            "access_token": token,
            "refresh_token": uuid.uuid4().hex,
            "expires_in": 172800,
        }

    def valid(self, token: str) -> bool:
        with self._lock:
            return token in self._issued

    def revoke(self) -> None:
        with self._lock:
            self._issued.clear()


def fields(request: Request) -> dict[str, str]:
    """The request's fields: the query, then a form or JSON body (a bad JSON body: none)."""
    found: dict[str, str] = {k: v[-1] for k, v in request.query.items() if v}
    content_type = (request.headers.get("Content-Type") or "").lower()
    if request.text.strip():
        if "json" in content_type:
            try:
                parsed = json.loads(request.text)
            except ValueError:
                parsed = {}
            if isinstance(parsed, dict):
                found.update({k: str(v) for k, v in parsed.items()})
        else:
            found.update({k: v[-1] for k, v in parse_qs(request.text, keep_blank_values=True).items()})
    return found


class TokenEndpoint:
    """``POST <path>``: issues a token from ``tokens`` for a well-formed grant."""

    def __init__(self, path: str, tokens: Tokens) -> None:
        self.path = path
        self.tokens = tokens
        self.errors = OAuthErrors()

    def endpoint(self) -> Endpoint:
        return Endpoint("POST", self.path, self.errors, None, handler=self.answer)

    def answer(self, request: Request) -> Reply:
        given = fields(request)
        grant = given.get("grant_type")
        if grant not in GRANTS:
            raise self.errors.error(400, f"grant_type {grant!r}", code="unsupported_grant_type")
        if not given.get("client_id") or not given.get("client_secret"):
            raise ApiError(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
        if grant == "refresh_token" and not given.get("refresh_token"):
            raise self.errors.error(400, "Missing refresh_token")
        if grant == "authorization_code" and not given.get("code"):
            raise self.errors.error(400, "Missing code")
        issued = self.tokens.issue()
        if grant == "client_credentials":
            issued.pop("refresh_token")
        return json_reply(issued)
