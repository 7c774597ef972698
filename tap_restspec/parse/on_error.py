"""`singer.onHttpError`: the HTTP statuses (or classes such as `4xx`) that end a pass instead of
failing the stream, and the check of the block (contract, "Error actions").

Keys are error statuses, `400` to `599`, or a class `4xx`/`5xx`; values are `skip` or `fail` in
any case. Anything else is a start-up error naming the property.
"""

from __future__ import annotations

import re

from tap_restspec.model.fields import Fields, show
from tap_restspec.model.spec import FAIL, SKIP, ErrorActions

_KEY = re.compile(r"([45])(\d\d|xx)", re.ASCII | re.IGNORECASE)
ACTIONS = (SKIP, FAIL)


def parse_error_actions(singer: Fields) -> ErrorActions:
    """The `onHttpError` block of a `"singer"` block (none: every error status fails)."""
    if not singer.has("onHttpError"):
        return ErrorActions()
    block = singer.object("onHttpError")
    rules = []
    for key, value in block.items():
        match = _KEY.fullmatch(str(key).strip())
        if match is None:
            block.add(str(key), "not an HTTP error status (400 to 599) or class (4xx, 5xx)")
            continue
        action = value.strip().lower() if isinstance(value, str) else None
        if action not in ACTIONS:
            block.add(str(key), f"{show(value)} is not one of {', '.join(ACTIONS)}")
            continue
        rules.append((match.group(0).lower(), action))
    return ErrorActions(tuple(rules))
