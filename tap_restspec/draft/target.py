"""The URL and headers a user gave, as a spec's request: host, path, query and headers, with every
secret replaced by a placeholder of one of the tap's secret settings.

The value of an `Authorization` header is a secret (the token after `Bearer `, else the whole
value), and so is a header or query parameter whose name says it holds one (`X-Api-Key`,
`api_key`, `token`, ...). The first secret becomes `${api_key}`; a second, different one
`${access_token}`, a third `${password}`. Every secret is registered with the redactor at once,
so no line the draft prints can show it, in any encoding.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tap_restspec.errors import UserError
from tap_restspec.expr.adf import ExpressionError
from tap_restspec.expr.template import check_header_name, compile_template, header_value_problem
from tap_restspec.http.origin import UnsafeURL, origin_of
from tap_restspec.redact import REDACTOR, SECRET_QUERY

SECRET_SETTINGS = ("api_key", "access_token", "password")  # the tap's secret settings, in the order used
SECRET_HEADER_WORDS = ("auth", "token", "key", "secret", "password", "cookie", "signature", "session")
SECRET_QUERY_ENDINGS = ("apikey", "api_key", "api-key", "auth_token", "access_key", "api_token", "secret")
_BEARER = re.compile(r"(?i)bearer[ \t]+")


@dataclass
class Target:
    """The request a draft sends and the spec repeats; secrets only in `values`."""

    url: str  # as given: never printed without the redactor
    host: str  # scheme://host[:port]
    path: str  # as given, still percent-encoded
    query: dict[str, str]  # the spec's queryParams (secrets as placeholders)
    headers: dict[str, str]  # the spec's headerParams (secrets as placeholders)
    values: dict[str, str] = field(default_factory=dict)  # setting -> secret value
    settings: list[tuple[str, str]] = field(default_factory=list)  # (setting, where the user's value was)

    def where(self) -> str:
        """The URL for messages: host and path, the query redacted."""
        return REDACTOR.redact(self.url.split("#", 1)[0])


def read_target(url: str, headers: list[str]) -> Target:
    """The request for `url` with `headers` ("Name: value" each); a UserError names a bad one."""
    try:
        origin_of(url)
    except UnsafeURL as exc:
        raise UserError(f"draft: {exc}") from None
    parts = urlsplit(url)
    target = Target(url, f"{parts.scheme}://{parts.netloc}", parts.path or "/", {}, {})
    _check_literal("the URL's path", target.path)
    for line in headers:
        name, value = _header(line)
        if name.lower() in {n.lower() for n in target.headers}:
            raise UserError(f"draft: --header {name}: given twice")
        target.headers[name] = _secret_header(target, name, value)
        if target.headers[name] == value:  # kept as given: nothing in it may read as a placeholder
            _check_literal(f"--header {name}", value)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in target.query:
            raise UserError(
                f"draft: the URL repeats the query parameter {name!r}: a spec holds one value a name"
            )
        if SECRET_QUERY.search(f"?{name}=") or name.lower().endswith(SECRET_QUERY_ENDINGS):
            target.query[name] = _placeholder(target, value, f"the URL's {name} query parameter")
        else:
            _check_literal(f"the URL's query parameter {name}", value)
            target.query[name] = value
    return target


def _header(line: str) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    name, value = name.strip(), value.strip(" \t")
    problem = check_header_name(name) if colon and name else "it must be 'Name: value'"
    problem = problem or header_value_problem(value)
    if problem:
        raise UserError(f"draft: --header {REDACTOR.redact(name) or repr(line[:40])}: {problem}")
    return name, value


def _secret_header(target: Target, name: str, value: str) -> str:
    """The header's value in the spec: as given, or with its secret as a placeholder."""
    lower = name.lower()
    if not value:
        return value
    if lower in ("authorization", "proxy-authorization"):
        bearer = _BEARER.match(value)
        if bearer and value[bearer.end() :]:
            return "Bearer " + _placeholder(
                target, value[bearer.end() :], f"the token after 'Bearer ' in {name}"
            )
        _register_basic(value)
        return _placeholder(target, value, f"the whole value of {name}")
    if any(word in lower for word in SECRET_HEADER_WORDS):
        return _placeholder(target, value, f"the value of {name}")
    return value


def _placeholder(target: Target, secret: str, where: str) -> str:
    """`${setting}` for `secret`: the setting that holds it already, else the next free one."""
    REDACTOR.add(secret)
    for setting, known in target.values.items():
        if known == secret:
            return f"${{{setting}}}"
    free = [name for name in SECRET_SETTINGS if name not in target.values]
    if not free:
        raise UserError(
            f"draft: more than {len(SECRET_SETTINGS)} different secrets: {where} has no setting left"
        )
    target.values[free[0]] = secret
    target.settings.append((free[0], where))
    return f"${{{free[0]}}}"


def _register_basic(value: str) -> None:
    """A Basic credential's user and password are secrets too, in every encoding."""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "basic":
        return
    try:
        user, colon, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return
    if colon:
        REDACTOR.add_basic(user, password)


def _check_literal(where: str, text: str) -> None:
    """A value the spec holds as written: nothing in it may read as a placeholder or expression."""
    try:
        template = compile_template(text)
    except ExpressionError:
        template = None
    if template is None or any(not isinstance(part, str) for part in template.parts):
        raise UserError(
            f"draft: {where} holds {{...}} or @{{...}}, which a spec reads as a placeholder or "
            "an expression: give the URL and headers with real values"
        )
