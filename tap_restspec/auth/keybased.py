"""`KeyBased`: `authKey1` (the `api_key` setting) and further `authKeyN` (params) in named headers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.auth import AuthBase

from tap_restspec.auth.base import AuthType, AuthValues, BuildContext, present
from tap_restspec.expr.template import check_header_name
from tap_restspec.model.fields import Fields
from tap_restspec.redact import REDACTOR

AUTH_KEY = re.compile(r"authKey\d+")


class KeyHeaders(AuthBase):
    """Each key in the header its `restAttributes.headerParamName` names."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = dict(headers)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the key headers."""
        request.headers.update(self.headers)
        return request


@dataclass(frozen=True)
class KeyBased(AuthType):
    """`KeyBased`: keys and the header each goes in."""

    type = "KeyBased"
    default_required = ("authKey1",)
    headers: Mapping[str, str] = field(default_factory=dict)  # authKeyN -> header name

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> AuthType:
        """`spec.properties.authKeyN.restAttributes.headerParamName` for each key."""
        properties = fields.object("spec").object("properties")
        names = {p for p, _ in properties.items() if AUTH_KEY.fullmatch(p)}
        names |= {p for p in common["required"] if AUTH_KEY.fullmatch(p)}
        headers = {}
        for prop in sorted(names, key=lambda p: int(p[len("authKey") :])):
            rest = properties.object(prop).object("restAttributes")
            header = rest.text("headerParamName")
            if header is None:
                continue
            problem = check_header_name(header.strip())
            if problem:
                rest.add("headerParamName", problem)
                continue
            headers[prop] = header.strip()
        return cls(**common, headers=headers)

    @property
    def keys(self) -> list[str]:
        """Every key this entry declares or requires, in order."""
        names = {p for p in self.inputs if AUTH_KEY.fullmatch(p)} | {
            p for p in self.required if AUTH_KEY.fullmatch(p)
        }
        return sorted(names, key=lambda p: int(p[len("authKey") :]))

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """Each key with a value needs a header name, and must fit in a header."""
        out = []
        for prop in self.keys:
            value = values.get(self, prop)
            if not present(value):
                continue
            if prop not in self.headers:
                out.append((f"{prop}.restAttributes.headerParamName", "required property is missing"))
            if any(c in str(value) for c in "\r\n\0"):
                out.append((prop, "value contains a line break"))
        return out

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """The key headers; every key is a secret."""
        headers = {}
        for prop in self.keys:
            value = values.get(self, prop)
            if present(value) and prop in self.headers:
                REDACTOR.add(str(value))
                headers[self.headers[prop]] = str(value)
        return KeyHeaders(headers)
