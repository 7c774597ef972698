"""The tap's settings, checked once at start-up into one typed object (`Settings`), every problem
a `config: <setting>: ...` line, never a secret's value; the settings' JSON schema is in
`settings_schema.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from singer_sdk.typing import DEFAULT_JSONSCHEMA_VALIDATOR

from tap_restspec.config.settings_schema import CONFIG_SCHEMA
from tap_restspec.config.shard import Shard, parse_shard
from tap_restspec.errors import SettingsError, one_line
from tap_restspec.expr import dates
from tap_restspec.http.origin import UnsafeURL, origin_of
from tap_restspec.model.spec import SECRET_SETTINGS, Duration
from tap_restspec.parse.keys import nearest
from tap_restspec.redact import REDACTOR

MAX_SECONDS = 86_400 * 7  # a week: the most a timeout or a wait may be
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
    utc_date_times: bool = False
    base_url: str | None = None
    shard: Shard | None = None  # this process's share of the work (None: all of it)

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
    shard, problem = parse_shard(config.get("shard"))
    if problem:
        lines.append(problem)
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
        utc_date_times=config.get("utc_date_times", False) is True,
        base_url=base_url,
        shard=shard,
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
