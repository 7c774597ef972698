"""Each API's own error bodies and credential checks.

A ``Vendor`` answers in its API's shape: a bad parameter (``invalid``), missing or wrong
credentials (``unauthorized``), an unknown path (``not_found``), and an injected fault
(``fault``: a 429 carries the API's rate-limit body).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from demo.core import Fault, Reply
from demo.messages import ApiError, Request

PROBLEM_TYPE = "application/problem+json; charset=utf-8"
HAL_ERROR_TYPE = "application/vnd.error+json; charset=utf-8"


def credentials(request: Request) -> tuple[str, str]:
    """The ``Authorization`` header as (scheme in lower case, credentials)."""
    scheme, _, cred = (request.headers.get("Authorization") or "").strip().partition(" ")
    return scheme.lower(), cred.strip()


def basic_pair(cred: str) -> tuple[str, str] | None:
    """The (user, password) of Basic credentials, None if they do not decode."""
    try:
        user, sep, password = base64.b64decode(cred, validate=True).decode().partition(":")
    except ValueError:
        return None
    return (user, password) if sep else None


def check_credentials(scheme_name: str, request: Request) -> bool | None:
    """True if the request's credentials fit the scheme, False if not, None if absent.

    Schemes: ``key`` (Mailchimp: Basic with any user and the key as password, or a
    bearer/OAuth/apikey token), ``basic_or_bearer`` (Zendesk: Basic with both parts, or a
    token), ``bearer`` (a non-empty token).
    """
    scheme, cred = credentials(request)
    if not scheme:
        return None
    pair = basic_pair(cred) if scheme == "basic" else None
    if scheme_name == "key":
        return bool(pair and pair[1]) or (scheme in ("bearer", "oauth", "apikey") and bool(cred))
    if scheme_name == "basic_or_bearer":
        return bool(pair and pair[0] and pair[1]) or (scheme == "bearer" and bool(cred))
    return scheme == "bearer" and bool(cred)


class Vendor:
    """The generic shapes; each API below overrides what it does differently."""

    name = "generic"
    #: The message for a date-time parameter that does not parse ({name}, {raw}).
    bad_time = "{name}: {raw!r} is not a valid ISO 8601 date-time"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        return ApiError(status, {"error": message, **extra})

    def invalid(self, name: str, message: str) -> ApiError:
        return self.error(400, message)

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(401, "Unauthorized")

    def not_found(self, path: str) -> ApiError:
        return self.error(404, "Resource not found")

    def fault(self, request: Request, fault: Fault) -> Reply:
        """An injected fault's answer: the given body, else this API's error for its status."""
        if fault.body is not None:
            return fault.reply()
        return fault.reply(self.error(fault.status, "injected fault").body)


class Mailchimp(Vendor):
    """Problem details (RFC 7807), as Mailchimp's Marketing API documents its errors."""

    name = "mailchimp"
    bad_time = (
        "The resource submitted could not be validated. {name}: {raw!r} is not a valid "
        "ISO 8601 date-time (for example 2015-10-21T15:41:36+00:00)"
    )

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        title = extra.pop("title", "Invalid Resource" if status == 400 else "Error")
        body = {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": title,
            "status": status,
            "detail": message,
            "instance": str(uuid.uuid4()),
        }
        return ApiError(status, body, {"Content-Type": PROBLEM_TYPE})

    def unauthorized(self, missing: bool) -> ApiError:
        if missing:
            return self.error(401, "Your request did not include an API key.", title="API Key Missing")
        return self.error(
            401,
            "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            title="API Key Invalid",
        )

    def not_found(self, path: str) -> ApiError:
        return self.error(404, "The requested resource could not be found.", title="Resource Not Found")


class Zendesk(Vendor):
    name = "zendesk"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        title = extra.pop("title", "Invalid attribute")
        return ApiError(status, {"error": {"title": title, "message": message}})

    def unauthorized(self, missing: bool) -> ApiError:
        return ApiError(401, {"error": "Couldn't authenticate you"})

    def not_found(self, path: str) -> ApiError:
        return ApiError(404, {"error": "InvalidEndpoint", "description": "Not found"})


class Segment(Vendor):
    name = "segment"
    bad_time = '"{name}" must be a valid ISO 8601 date-time'

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        kind = extra.pop("kind", "input-validation" if status == 422 else "error")
        error: dict[str, Any] = {"type": kind, "message": message, **extra}
        return ApiError(status, {"errors": [error]})

    def invalid(self, name: str, message: str) -> ApiError:
        return self.error(422, message.replace(name, f'"{name}"', 1), field=name)

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(401, "Unauthorized: a valid Public API token is required", kind="unauthorized")

    def not_found(self, path: str) -> ApiError:
        return self.error(404, "Resource not found", kind="not-found")

    def fault(self, request: Request, fault: Fault) -> Reply:
        if fault.status != 429 or fault.body is not None:
            return super().fault(request, fault)
        # Segment Public API, "Rate Limits" (https://docs.segmentapis.com/tag/Rate-Limits):
        # a 429 whose body nests the wait in errors[].data.msBeforeNext (milliseconds), with
        # remainingPoints / consumedPoints; the documented example has no Retry-After.
        wait = fault.hint.get("ms_before_next")
        if wait is None:
            wait = int(fault.retry_after * 1000) if fault.retry_after is not None else 1000
        body = {
            "errors": [
                {
                    "type": "RequestError",
                    "message": "Too many requests",
                    "data": {"remainingPoints": 0, "msBeforeNext": int(wait), "consumedPoints": 21},
                }
            ]
        }
        return fault.reply(body)


class HubSpot(Vendor):
    name = "hubspot"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        category = extra.pop("category", "VALIDATION_ERROR" if status == 400 else "ERROR")
        body = {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
        }
        return ApiError(status, body)

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(
            401,
            "Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            category="INVALID_AUTHENTICATION",
        )

    def not_found(self, path: str) -> ApiError:
        return self.error(404, f"Resource not found: {path}", category="OBJECT_NOT_FOUND")


class HelpScout(Vendor):
    """Help Scout's ``application/vnd.error+json`` bodies, field errors under ``_embedded``."""

    name = "helpscout"
    bad_time = "Malformed date: expected yyyy-MM-dd'T'HH:mm:ss'Z'"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        body: dict[str, Any] = {"logRef": str(uuid.uuid4()), "message": message}
        if extra.get("errors"):
            body["_embedded"] = {"errors": extra["errors"]}
        body["_links"] = {"about": {"href": "http://developer.helpscout.net/mailbox-api/overview/errors"}}
        return ApiError(status, body, {"Content-Type": HAL_ERROR_TYPE})

    def invalid(self, name: str, message: str, value: str | None = None) -> ApiError:
        error: dict[str, Any] = {"path": name, "message": message.removeprefix(f"{name} "), "source": "QUERY"}
        if value is not None:
            error["rejectedValue"] = value
        return self.error(400, "Bad request", errors=[error])

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(401, "Unauthorized: invalid or expired access token")


class OAuth(Vendor):
    """An OAuth 2.0 token endpoint: RFC 6749 section 5.2 error bodies."""

    name = "oauth"

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        return ApiError(status, {"error": extra.pop("code", "invalid_request"), "error_description": message})


MAILCHIMP, ZENDESK, SEGMENT = Mailchimp(), Zendesk(), Segment()
HUBSPOT, HELPSCOUT, OAUTH = HubSpot(), HelpScout(), OAuth()

#: Which API an unknown path belongs to, by prefix (the rest: Segment's root paths).
BY_PREFIX: tuple[tuple[str, Vendor], ...] = (
    ("/3.0/", MAILCHIMP),
    ("/api/v2/", ZENDESK),
    ("/crm/", HUBSPOT),
    ("/v2/", HELPSCOUT),
)


def vendor_of(path: str) -> Vendor:
    return next((v for prefix, v in BY_PREFIX if path.startswith(prefix)), SEGMENT)
