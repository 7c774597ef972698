"""`apiKey`, the type of Adobe's beta pages: the `api_key` setting (the entry's `value`) in the
header or query parameter `keyName` names, as `attributes.authParams.addTo` says (`header`, the
default, or `query`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from requests.auth import AuthBase

from tap_restspec.auth.base import SETTINGS, AuthType, AuthValues, BuildContext, present
from tap_restspec.auth.placing import HEADER, QUERY, KeyPlacer
from tap_restspec.expr.template import check_header_name
from tap_restspec.model.fields import Fields
from tap_restspec.redact import REDACTOR


@dataclass(frozen=True)
class ApiKey(AuthType):
    """`apiKey`: `keyName` (params, else its default) holds `value` (the `api_key` setting)."""

    type = "apiKey"
    default_required = ("keyName", "value")
    settings: ClassVar[dict[str, str]] = {**SETTINGS, "value": "api_key"}
    add_to: str = HEADER

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> AuthType:
        """`attributes.authParams.addTo`: `header` or `query`, in any case."""
        params = fields.object("attributes").object("authParams")
        return cls(**common, add_to=params.choice("addTo", (HEADER, QUERY), default=HEADER) or HEADER)

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """The key's name must fit its place, the key a header."""
        out = []
        name = values.get(self, "keyName")
        if not isinstance(name, str) or not name.strip():
            out.append(("keyName", f"{name!r} is not a name for the key"))
        elif self.add_to == HEADER and check_header_name(name.strip()):
            out.append(("keyName", str(check_header_name(name.strip()))))
        if any(c in str(values.get(self, "value") or "") for c in "\r\n\0"):
            out.append(("value", "value contains a line break"))
        return out

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """The key in its header or query parameter; it is a secret."""
        value = str(values.get(self, "value"))
        REDACTOR.add(value)
        name = str(values.get(self, "keyName")).strip()
        return KeyPlacer({(self.add_to, name): value} if present(value) else {})
