"""`KeyBased`: `authKey1` (the `api_key` setting) and further `authKeyN` (params), each in the
header, query parameter or JSON body field its `restAttributes` names (`headerParamName`,
`queryParamName`, `bodyParamName`: HubSpot's legacy `hapikey` is a query parameter).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from requests.auth import AuthBase

from tap_restspec.auth.base import AuthType, AuthValues, BuildContext, present
from tap_restspec.auth.placing import BODY, HEADER, QUERY, KeyPlacer
from tap_restspec.expr.template import check_header_name
from tap_restspec.model.fields import Fields
from tap_restspec.redact import REDACTOR

AUTH_KEY = re.compile(r"authKey\d+")
PLACE_KEYS = {"headerParamName": HEADER, "queryParamName": QUERY, "bodyParamName": BODY}


@dataclass(frozen=True)
class KeyBased(AuthType):
    """`KeyBased`: keys, and where each goes."""

    type = "KeyBased"
    default_required = ("authKey1",)
    places: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # authKeyN -> (place, name)

    @classmethod
    def parse(cls, fields: Fields, common: dict[str, Any]) -> AuthType:
        """`spec.properties.authKeyN.restAttributes`: one of its three names for each key."""
        properties = fields.object("spec").object("properties")
        names = {p for p, _ in properties.items() if AUTH_KEY.fullmatch(p)}
        names |= {p for p in common["required"] if AUTH_KEY.fullmatch(p)}
        places = {}
        for prop in sorted(names, key=lambda p: int(p[len("authKey") :])):
            rest = properties.object(prop).object("restAttributes")
            given = [(key, place) for key, place in PLACE_KEYS.items() if rest.has(key)]
            for key, _ in given[1:]:
                rest.add(key, f"{given[0][0]} is given too; a key goes in one place")
            if not given:
                continue
            key, place = given[0]
            name = (rest.text(key) or "").strip()
            problem = check_header_name(name) if place == HEADER else (None if name else "must not be empty")
            if problem:
                rest.add(key, problem)
                continue
            places[prop] = (place, name)
        return cls(**common, places=places)

    @property
    def keys(self) -> list[str]:
        """Every key this entry declares or requires, in order."""
        names = {p for p in self.inputs if AUTH_KEY.fullmatch(p)} | {
            p for p in self.required if AUTH_KEY.fullmatch(p)
        }
        return sorted(names, key=lambda p: int(p[len("authKey") :]))

    def check(self, values: AuthValues) -> list[tuple[str, str]]:
        """Each key with a value needs a place, and must fit in it."""
        out = []
        for prop in self.keys:
            value = values.get(self, prop)
            if not present(value):
                continue
            place = self.places.get(prop)
            if place is None:
                out.append((f"{prop}.restAttributes.headerParamName", "required property is missing"))
            elif place[0] == BODY and not isinstance(values.spec.request.body, dict):
                out.append((f"{prop}.restAttributes.bodyParamName", "needs a JSON object in bodyParams"))
            if any(c in str(value) for c in "\r\n\0"):
                out.append((prop, "value contains a line break"))
        return out

    def build(self, values: AuthValues, context: BuildContext) -> AuthBase:
        """The keys in their places; every key is a secret."""
        keys = {}
        for prop in self.keys:
            value = values.get(self, prop)
            if present(value) and prop in self.places:
                REDACTOR.add(str(value))
                keys[self.places[prop]] = str(value)
        return KeyPlacer(keys)
