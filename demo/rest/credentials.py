"""The credential schemes an ``Endpoint`` names, checked on a request's ``Authorization``."""

from __future__ import annotations

import base64

from demo.core.messages import Request

#: The schemes ``check_credentials`` knows.
SCHEMES = ("key", "basic_or_bearer", "bearer", "secret_key")


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
    token), ``bearer`` (a non-empty token), ``secret_key`` (Stripe: Basic with the key as the
    user name and no password needed, or the key as a bearer token).
    """
    scheme, cred = credentials(request)
    if not scheme:
        return None
    pair = basic_pair(cred) if scheme == "basic" else None
    if scheme_name == "key":
        return bool(pair and pair[1]) or (scheme in ("bearer", "oauth", "apikey") and bool(cred))
    if scheme_name == "basic_or_bearer":
        return bool(pair and pair[0] and pair[1]) or (scheme == "bearer" and bool(cred))
    if scheme_name == "secret_key":
        return bool(pair and pair[0]) or (scheme == "bearer" and bool(cred))
    return scheme == "bearer" and bool(cred)
