"""`BasicAuthentication`: HTTP Basic from the `username` and `password` settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from requests.auth import AuthBase, HTTPBasicAuth

from tap_restspec.auth.base import AuthType, AuthValues, BuildContext
from tap_restspec.redact import REDACTOR


@dataclass(frozen=True)
class Basic(AuthType):
    """`BasicAuthentication`: the user name may be built from a default such as `{email}/token`."""

    type = "BasicAuthentication"
    default_required = ("username", "password")

    @classmethod
    def parse(cls, fields: Any, common: dict[str, Any]) -> AuthType:
        """The user name is required even where the entry's own `required` leaves it out."""
        required = common["required"]
        if "username" not in required:
            common = {**common, "required": ("username", *required)}
        return cls(**common)

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """User name and password must fit in a header."""
        return [
            (prop, "value contains a line break")
            for prop in ("username", "password")
            if any(c in str(values.get(self, prop) or "") for c in "\r\n\0")
        ]

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """Requests' HTTPBasicAuth; both the password and the header's base64 are secrets."""
        username = str(values.get(self, "username"))
        password = values.get(self, "password")
        password = "" if password is None else str(password)
        REDACTOR.add_basic(username, password)
        return HTTPBasicAuth(username, password)
