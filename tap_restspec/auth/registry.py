"""The authSpec entry types the tap knows, listed in `AUTH_TYPES`.

To add one (an entry `type` of Adobe's):
1. Write `auth/<name>.py`: an `AuthType` subclass with its `type`, `default_required`, its
   `parse` (when it reads more than the common properties), `check` and `build`.
2. Import it below and list it in `AUTH_TYPES`.

A type is found by its name in any case, without spaces, `-` or `_` (`folded`): Adobe writes one
entry `OAuth2 Refresh Code`, `OAuth 2 Refresh Code`, `oAuth2RefreshCode` and
`oAuth2-refresh-code` in different documents.
"""

from __future__ import annotations

import re

from tap_restspec.auth.apikey import ApiKey
from tap_restspec.auth.base import AuthType
from tap_restspec.auth.basic import Basic
from tap_restspec.auth.clientcredentials import OAuth2ClientCredentials
from tap_restspec.auth.keybased import KeyBased
from tap_restspec.auth.oauth2 import OAuth2
from tap_restspec.model.registry import Registry


def folded(name: str) -> str:
    """An entry's name or type as compared: any case, without spaces, `-` or `_`."""
    return re.sub(r"[\s_-]+", "", name).casefold()


AUTH_TYPES: Registry[AuthType] = Registry(
    "type",
    (
        Basic,
        KeyBased,
        OAuth2,
        OAuth2ClientCredentials,
        ApiKey,
    ),
    fold=folded,
)
