"""The base of every auth type (`AuthType`), and where each authSpec property's value comes from."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from requests.auth import AuthBase

from tap_restspec.expr import adf
from tap_restspec.expr.template import TemplateError, compile_template, render
from tap_restspec.model.fields import Fields
from tap_restspec.model.spec import SECRET_SETTINGS, AuthEntry, Input, StreamSpec

# The authSpec properties that the tap's secret settings fill.
SETTINGS = {
    "username": "username",
    "password": "password",
    "authKey1": "api_key",
    "clientId": "client_id",
    "clientSecret": "client_secret",
    "accessToken": "access_token",
    "refreshToken": "refresh_token",
}
URL_PROPERTY = re.compile(r"(?i).*url$")


class AuthType(AuthEntry):
    """An authSpec entry type (listed in `registry.py`): its required values, checks and authenticator."""

    default_required: ClassVar[tuple[str, ...]] = ()
    settings: ClassVar[dict[str, str]] = SETTINGS  # the properties the tap's secret settings fill

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> AuthType:
        """The entry from its raw JSON (`common`: index, name, inputs, required)."""
        return cls(**common)

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """(property, message) for each value of a usable entry that cannot work."""
        return []

    def usable(self, values: AuthValues) -> list[tuple[str, str]]:
        """(property, message) for each required value with none; empty when the entry is usable."""
        out = []
        for prop in self.required:
            try:
                value = values.get(self, prop)
            except (TemplateError, adf.ExpressionError) as exc:
                out.append((prop, str(exc)))
                continue
            if not present(value):
                out.append((prop, f"has no value ({values.hint(self, prop)})"))
        return out

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """The authenticator for the stream's requests."""
        raise NotImplementedError


@dataclass(frozen=True)
class BuildContext:
    """What an authenticator needs besides its values: the stream's name, host and HTTP settings."""

    stream: str
    host: str  # the spec's host, as requests go to it (after `base_url`)
    timeout: float
    max_retries: int
    max_wait: float
    max_bytes: int
    stop: threading.Event = field(default_factory=threading.Event)  # the tap's: its token waits end on it


def present(value: Any) -> bool:
    """A value is given (not None, not empty)."""
    return value is not None and value != ""


class AuthValues:
    """Where each authSpec property's value comes from, in order: the tap's secret settings
    (for the properties they stand for), `params.<property>`, the entry's own `default`
    (which may hold placeholders: `{email}/token`), then `spec.properties` defaults.
    """

    def __init__(self, spec: StreamSpec, given: Mapping[str, Any]) -> None:
        self.spec = spec
        self.given = given  # params and secret settings
        self.merged = {**spec.defaults, **given}

    def get(self, entry: AuthEntry, prop: str) -> Any:
        """The value of `prop` for `entry`, or None."""
        setting = settings_of(entry).get(prop)
        defaults = self.spec.defaults
        value = self.merged.get(setting) if setting is not None else self.given.get(prop)
        if present(value):
            return self.fill(value) if isinstance(value, str) and URL_PROPERTY.fullmatch(prop) else value
        declared = entry.inputs.get(prop)
        if declared is not None and declared.has_default:
            default = declared.default
            if isinstance(default, str):
                try:
                    return self.fill(default)
                except (TemplateError, adf.ExpressionError):
                    return None
            return default
        fallback = defaults.get(prop) if setting is None else None
        if isinstance(fallback, str) and URL_PROPERTY.fullmatch(prop):
            return self.fill(fallback)
        return fallback if present(fallback) else None

    def hint(self, entry: AuthEntry, prop: str) -> str:
        """How the user gives `prop` a value."""
        setting = settings_of(entry).get(prop)
        hint = f"set the {setting} setting" if setting else f"set params.{prop}"
        declared: Input | None = entry.inputs.get(prop)
        default = declared.default if declared is not None else None
        if isinstance(default, str):
            try:
                names = compile_template(default).names
            except adf.ExpressionError:
                names = frozenset()
            missing = sorted(n for n in names if not present(self.merged.get(n)))
            if missing:
                needed = " and ".join(place_of(n) for n in missing)
                hint += f", or {needed} for its default {default!r}"
        return hint

    def fill(self, text: str) -> str:
        """A value with its placeholders filled from the other values."""
        return render(
            compile_template(text), self.merged, adf_parameters=self.merged, now=datetime.now(timezone.utc)
        )


def settings_of(entry: AuthEntry) -> dict[str, str]:
    """The authSpec properties of `entry` that the tap's secret settings fill."""
    return getattr(entry, "settings", SETTINGS)


def place_of(name: str) -> str:
    """Where a value named `name` is set."""
    return f"the {name} setting" if name in SECRET_SETTINGS else f"params.{name}"
