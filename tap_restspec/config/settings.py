"""The tap's settings: their JSON schema (for `--about` and Meltano) and one typed, checked object."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from singer_sdk import typing as th
from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from tap_restspec.errors import SettingsError, one_line
from tap_restspec.expr import dates
from tap_restspec.http.origin import UnsafeURL, origin_of
from tap_restspec.model.spec import SECRET_SETTINGS, Duration
from tap_restspec.parse.keys import nearest
from tap_restspec.redact import REDACTOR

SECRET_DESCRIPTIONS = {
    "api_key": "API key or token; also the placeholder ${api_key}.",
    "username": "User name for Basic authentication; also ${username}.",
    "password": "Password or API token for Basic authentication; also ${password}.",
    "client_id": "OAuth2 client id; also ${client_id}.",
    "client_secret": "OAuth2 client secret; also ${client_secret}.",
    "access_token": "OAuth2 or bearer access token; also ${access_token}.",
    "refresh_token": "OAuth2 refresh token; also ${refresh_token}.",
}
MAX_SECONDS = 86_400 * 7  # a week: the most a timeout or a wait may be
# A number also accepted as text ("2.5"), so Meltano can pass it as a `string` setting: its
# `decimal` kind cannot come from an environment variable, its `integer` refuses fractions.
NUMBER = th.CustomType({"type": ["number", "string"], "pattern": r"^\s*[0-9]+(\.[0-9]*)?\s*$"})

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "specs",
        th.ArrayType(th.StringType),
        required=True,
        description="Spec files, directories (every *.json inside) or glob patterns, "
        "relative to the working directory. One spec file is one stream.",
    ),
    th.Property(
        "params",
        th.ObjectType(additional_properties=True),
        description="Values for the specs' placeholders and user inputs (spec.properties); "
        "a JSON array runs the stream once per element (partitions).",
    ),
    th.Property(
        "start_date", th.DateTimeType, description="Where the first run's window starts (no state yet)."
    ),
    th.Property("end_date", th.DateTimeType, description="Where every window ends; default: now (UTC)."),
    th.Property(
        "lookback_window",
        th.IntegerType,
        default=0,
        description="Seconds to move each window's start back, for late-arriving changes.",
    ),
    th.Property(
        "window_step",
        th.StringType,
        description="ISO 8601 duration (P1D, PT6H, P1M): read each window in slices of this length, "
        "with a bookmark after each; overrides the specs' singer.windowStep.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=5,
        description="Retries after the first try for 429, a rate-limited 403, 5xx, timeouts and "
        "dropped connections.",
    ),
    th.Property(
        "request_timeout",
        NUMBER,
        default=300,
        description="Seconds a whole request may take, from connecting to the last byte.",
    ),
    th.Property(
        "max_retry_wait",
        NUMBER,
        default=120,
        description="Longest wait between two tries, in seconds; an API asking for more fails the stream.",
    ),
    th.Property(
        "max_response_mb",
        NUMBER,
        default=512,
        description="Largest response body, in MB after decompression; a larger one fails the stream.",
    ),
    th.Property(
        "max_parallel",
        th.IntegerType,
        default=4,
        description=(
            "Requests in flight at once, across every stream; up to twice as many streams, partitions "
            "and child passes run at once. 1 runs them one after another."
        ),
    ),
    th.Property(
        "auth_spec",
        th.StringType,
        description="The authSpec entry to use, by its name or type (AEP's authSpecName); "
        "default: the first whose values are all set.",
    ),
    th.Property(
        "emit_activate_version_messages",
        th.BooleanType,
        default=True,
        description="Full-table streams end a complete read with ACTIVATE_VERSION, so targets remove "
        "rows deleted at the source; false turns it off.",
    ),
    th.Property(
        "base_url",
        th.StringType,
        description="Replaces the scheme, host and port of every spec's host, for a mock "
        "or the bundled demo API; next-page links are not rewritten (one to another origin "
        "is refused).",
    ),
    *(
        th.Property(name, th.StringType, secret=True, description=SECRET_DESCRIPTIONS[name])
        for name in SECRET_SETTINGS
    ),
).to_dict()


_VALIDATOR = DEFAULT_JSONSCHEMA_VALIDATOR(CONFIG_SCHEMA)


@dataclass(frozen=True)
class Settings:
    """The tap's settings, checked once at start-up."""

    specs: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    start_date: datetime | None = None
    end_date: datetime | None = None
    lookback: float = 0.0
    window_step: Duration | None = None
    max_retries: int = 5
    timeout: float = 300.0
    max_wait: float = 120.0
    max_bytes: int = 512 * 1024 * 1024
    max_parallel: int = 4
    auth_spec: str | None = None
    activate_versions: bool = True
    base_url: str | None = None

    @property
    def values(self) -> dict[str, Any]:
        """Placeholder values from settings: the secrets over the params."""
        return {**self.params, **self.secrets}


def read_settings(config: Mapping[str, Any]) -> Settings:
    """Check the settings and make them typed; raises SettingsError with one line per problem.

    Every problem the SDK's own validation would find is found here first, in the same form, so
    the user sees `config: <setting>: ...` lines, and never a secret's value.
    """
    register_secrets(config)
    lines: list[str] = []

    def number(name: str, default: float, *, minimum: float, positive: bool = False) -> float:
        return _number(config, lines, name, default, minimum=minimum, positive=positive)

    specs = _specs(config, lines)
    params = config.get("params") or {}
    if not isinstance(params, dict):
        lines.append("config: params: must be an object")
        params = {}
    secrets = _secrets(config, lines)
    start, end = _date(config, "start_date", lines), _date(config, "end_date", lines)
    if start and end and start > end:
        lines.append("config: end_date: is before start_date")
    step = None
    if config.get("window_step"):
        try:
            step = dates.parse_duration(str(config["window_step"]))
        except ValueError as exc:
            lines.append(f"config: window_step: {exc}")
    base_url = _base_url(config, lines)
    auth_spec = config.get("auth_spec")
    if auth_spec is not None and not isinstance(auth_spec, str):
        lines.append("config: auth_spec: must be the name or type of an authSpec entry")
        auth_spec = None
    settings = Settings(
        specs=specs,
        params=params,
        secrets=secrets,
        start_date=start,
        end_date=end,
        lookback=number("lookback_window", 0.0, minimum=0),
        window_step=step,
        max_retries=int(number("max_retries", 5, minimum=0)),
        timeout=number("request_timeout", 300.0, minimum=0, positive=True),
        max_wait=number("max_retry_wait", 120.0, minimum=0),
        max_bytes=int(number("max_response_mb", 512.0, minimum=0, positive=True) * 1024 * 1024),
        max_parallel=int(number("max_parallel", 4, minimum=1)),
        auth_spec=auth_spec or None,
        activate_versions=config.get("emit_activate_version_messages", True) is not False,
        base_url=base_url,
    )
    if config.get("batch_config") is not None:
        lines.append(f"config: batch_config: {NO_BATCH}")
    lines.extend(_schema_lines(config, lines))
    if lines:
        raise SettingsError(lines)
    return settings


# The SDK's BATCH path bypasses the tap's writer (no widened SCHEMA, no table version, no stream
# maps, and an ACTIVATE_VERSION that makes a target delete every row): the tap does not offer it.
NO_BATCH = "BATCH messages are not supported; remove the setting (records are sent as RECORD messages)"


def unknown_settings(config: Mapping[str, Any], known: Iterable[str]) -> list[str]:
    """One line per setting the tap does not know (it is ignored), with the known one it resembles."""
    names = tuple(known)
    lines = []
    for name in config:
        if name in names or name == "batch_config":
            continue
        near = nearest(str(name), names)
        hint = f"; did you mean {near!r}?" if near else ""
        lines.append(one_line(f"config: {str(name)[:80]}: unknown setting, ignored{hint}"))
    return lines


def _number(
    config: Mapping[str, Any], lines: list[str], name: str, default: float, *, minimum: float, positive: bool
) -> float:
    """A number setting (a string holding one too, as Meltano may pass it), within its bounds."""
    value = config.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number != number:  # NaN
        lines.append(f"config: {name}: {_shown(name, value)} is not a number")
        return default
    if number < minimum or (positive and number <= 0):
        bound = "above" if positive else "at least"
        lines.append(f"config: {name}: {_shown(name, value)} must be {bound} {minimum:g}")
        return default
    if number > MAX_SECONDS * 1000:
        lines.append(f"config: {name}: {_shown(name, value)} is too large")
        return default
    return number


def _specs(config: Mapping[str, Any], lines: list[str]) -> tuple[str, ...]:
    """`specs`: a list of files, directories or globs."""
    specs = config.get("specs")
    if specs is None:
        lines.append("config: specs: required setting is missing (spec files, directories or globs)")
    elif isinstance(specs, str):
        lines.append(
            f"config: specs: must be a list of files, directories or globs, not a string (write [{specs!r}])"
        )
    elif not isinstance(specs, list) or not all(isinstance(s, str) for s in specs):
        lines.append("config: specs: must be a list of files, directories or globs")
    else:
        return tuple(specs)
    return ()


def _secrets(config: Mapping[str, Any], lines: list[str]) -> dict[str, str]:
    """The secret settings given, stripped; a wrong type is named without its value."""
    secrets = {}
    for name in SECRET_SETTINGS:
        value = config.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            lines.append(f"config: {name}: must be a string (the value is not shown: it is a secret)")
            continue
        secrets[name] = value.strip()
    return secrets


def _base_url(config: Mapping[str, Any], lines: list[str]) -> str | None:
    """`base_url`: an http(s) URL without a trailing slash, or None."""
    base_url = config.get("base_url") or None
    if base_url is None:
        return None
    problem = _base_url_problem(base_url)
    if problem is not None:
        lines.append(
            f"config: base_url: {str(base_url)[:80]!r} is not an http(s) URL such as "
            f"http://localhost:8765{problem}"
        )
        return None
    return str(base_url).rstrip("/")


def environment_config(schema: Mapping[str, Any], prefix: str = "TAP_RESTSPEC_") -> dict[str, Any]:
    """The `TAP_RESTSPEC_<NAME>` variables of the environment, parsed as the SDK parses them, but
    without a `.env` file: the SDK's reader looks for one in the directories above its own install
    (a Meltano project's root, whose `.env` holds every plugin's secrets) and lets it override both
    the real environment and the config file, so an inherited extractor would get its parent's
    password. Meltano reads its `.env` itself and passes the values on.
    """
    from singer_sdk.configuration import _dict_config

    return _dict_config.parse_environment_config(dict(schema), prefix=prefix, dotenv_path=os.devnull)


def environment_problems(prefix: str = "TAP_RESTSPEC_") -> list[str]:
    """One line per `TAP_RESTSPEC_<NAME>` variable the SDK cannot parse (it would raise a bare
    ValueError or JSON error): each setting is parsed alone, exactly as the SDK parses it.
    """
    from singer_sdk.configuration import _dict_config

    lines = []
    quiet, _dict_config.logger.disabled = _dict_config.logger.disabled, True
    try:
        for name, schema in CONFIG_SCHEMA["properties"].items():
            variable = prefix + name.upper().replace("-", "_")
            if variable not in os.environ:
                continue
            try:
                environment_config({"properties": {name: schema}}, prefix)
            except Exception as exc:  # the SDK's int() and JSON parsers: ValueError, JSONDecodeError
                kind = "an integer" if isinstance(exc, ValueError) and "int()" in str(exc) else "valid JSON"
                shown = "" if name in SECRET_SETTINGS else f" ({os.environ[variable][:40]!r})"
                lines.append(f"config: {name}: the environment variable {variable}{shown} is not {kind}")
    finally:
        _dict_config.logger.disabled = quiet
    return lines


def register_secrets(config: Mapping[str, Any]) -> None:
    """Mask the secret settings' values (as given, stripped, and any value of the wrong type), and
    those of unknown settings that resemble one (`pasword`).
    """
    slips = [name for name in config if name not in SECRET_SETTINGS and nearest(str(name), SECRET_SETTINGS)]
    for name in (*SECRET_SETTINGS, *slips):
        value = config.get(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                REDACTOR.add(item, item.strip())
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                REDACTOR.add(str(item))


def _schema_lines(config: Mapping[str, Any], lines: list[str]) -> list[str]:
    """The config schema's own complaints about settings that have no line yet."""
    named = {line.split(":", 2)[1].strip() for line in lines if line.count(":") >= 2}
    out: list[str] = []
    for error in _VALIDATOR.iter_errors(dict(config)):
        path = [str(p) for p in error.path]
        if not path or path[0] in named:
            continue
        named.add(path[0])
        if path[0] in SECRET_SETTINGS:
            message = "must be a string (the value is not shown: it is a secret)"
        else:
            message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        out.append(f"config: {'.'.join(path)}: {message}")
    return out


def _base_url_problem(value: Any) -> str | None:
    """Why `value` cannot be the `base_url` (" (reason)", or "" when only the form is wrong), or None."""
    if not isinstance(value, str):
        return ""
    try:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.username:
            return ""
        origin_of(value)
    except UnsafeURL as exc:
        return f" ({str(exc).removeprefix('URL refused: ')})"
    except ValueError:
        return ""
    return None


def _date(config: Mapping[str, Any], name: str, lines: list[str]) -> datetime | None:
    value = config.get(name)
    if not value:
        return None
    try:
        return dates.parse_datetime(str(value))
    except ValueError:
        lines.append(f"config: {name}: {str(value)[:40]!r} is not a date-time (e.g. 2024-01-01T00:00:00Z)")
        return None


def _shown(name: str, value: Any) -> str:
    return "the value" if name in SECRET_SETTINGS else repr(value)[:40]
