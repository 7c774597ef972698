"""Authentication from a connection spec's `authSpec` (headers with placeholders need none of this)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from tap_restspec.spec import StreamSpec


class NoAuth(AuthBase):
    """Leaves the request as it is."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Return the request unchanged."""
        return request


def build(spec: StreamSpec, values: Mapping[str, Any], tap_config: Mapping[str, Any]) -> AuthBase:
    """The authenticator of the first authSpec entry whose values are all at hand."""
    for entry in spec.auth:
        if entry.get("type") == "BasicAuthentication" and values.get("username") and values.get("password"):
            return HTTPBasicAuth(str(values["username"]), str(values["password"]))
    return NoAuth()


def problems(spec: StreamSpec, values: Mapping[str, Any]) -> list[str]:
    """Start-up problems with the spec's authSpec (none yet)."""
    return []
