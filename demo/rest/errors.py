"""How an API shapes its error answers; each vendor overrides what its API does differently.

``ErrorShapes`` answers a bad parameter (``invalid``), missing or wrong credentials
(``unauthorized``), an unknown path (``not_found``) and an injected fault (``fault``);
``bad_time`` is the message for a date-time parameter that does not parse, ``bad_epoch`` for a
Unix-seconds one.
"""

from __future__ import annotations

from typing import Any

from demo.core.messages import ApiError, Reply, Request
from demo.core.server import Fault


class ErrorShapes:
    """The generic shapes: ``{"error": message}``."""

    #: The message for a date-time parameter that does not parse ({name}, {raw}).
    bad_time = "{name}: {raw!r} is not a valid ISO 8601 date-time"
    #: The message for a Unix-seconds parameter that is not an integer ({name}, {raw}).
    bad_epoch = "{name}: {raw!r} is not an integer (seconds since the Unix epoch)"

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
