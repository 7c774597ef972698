"""The tap: settings, spec files, one stream per spec, and a CLI that reports user errors plainly."""

from __future__ import annotations

import glob
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from tap_restspec import auth, dates, redact
from tap_restspec.errors import SettingsError, SpecError, UserError
from tap_restspec.output import BufferedWriter
from tap_restspec.spec import SECRET_SETTINGS, StreamSpec, load_spec
from tap_restspec.stream import SpecStream

SECRET_DESCRIPTIONS = {
    "api_key": "API key or token; also the placeholder ${api_key}.",
    "username": "User name for Basic authentication; also ${username}.",
    "password": "Password or API token for Basic authentication; also ${password}.",
    "client_id": "OAuth2 client id; also ${client_id}.",
    "client_secret": "OAuth2 client secret; also ${client_secret}.",
    "access_token": "OAuth2 or bearer access token; also ${access_token}.",
    "refresh_token": "OAuth2 refresh token; also ${refresh_token}.",
}


class TapRestSpec(Tap):
    """Singer tap for REST APIs described by Adobe Experience Platform sourceSpec files."""

    name = "tap-restspec"
    message_writer_class = BufferedWriter

    config_jsonschema = th.PropertiesList(
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
            description="Values for the specs' placeholders and user inputs (spec.properties).",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            description="Where the first run's window starts (no state yet).",
        ),
        th.Property(
            "end_date",
            th.DateTimeType,
            description="Where every window ends; default: now (UTC).",
        ),
        th.Property(
            "lookback_window",
            th.IntegerType,
            default=0,
            description="Seconds to move each window's start back, for late-arriving changes.",
        ),
        th.Property(
            "max_retries",
            th.IntegerType,
            default=5,
            description="Retries after the first try for 429, 5xx, timeouts and dropped connections.",
        ),
        th.Property(
            "request_timeout",
            th.NumberType,
            default=300,
            description="Seconds to wait for a response.",
        ),
        th.Property(
            "max_retry_wait",
            th.NumberType,
            default=120,
            description="Longest wait between two tries, in seconds; "
            "a Retry-After above it fails the stream.",
        ),
        th.Property(
            "base_url",
            th.StringType,
            description="Replaces the scheme, host and port of every spec's host "
            "(for a proxy, a mock, or the bundled demo API).",
        ),
        *(
            th.Property(name, th.StringType, secret=True, description=SECRET_DESCRIPTIONS[name])
            for name in SECRET_SETTINGS
        ),
    ).to_dict()

    def discover_streams(self) -> list[SpecStream]:
        """One stream per spec file; every problem in every spec is reported at once."""
        config = self.config
        redact.install()
        redact.REDACTOR.add(*(config.get(name) for name in SECRET_SETTINGS))
        check_settings(config)
        values = placeholder_values(config)
        specs, problems = [], []
        for path, display in resolve_specs(config.get("specs") or []):
            try:
                spec = load_spec(path, display, values)
            except SpecError as exc:
                problems.extend(exc.lines)
                continue
            problems.extend(auth.problems(spec, values))
            specs.append(spec)
        problems.extend(duplicate_names(specs))
        if problems:
            raise SpecError(problems)
        return [
            SpecStream(
                tap=self,
                spec=spec,
                values={**spec.defaults, **values},
                schema=self._catalog_schema(spec),
            )
            for spec in specs
        ]

    def run_connection_test(self) -> bool:  # type: ignore[misc]  # final in the SDK; --test calls it
        """`--test`: each authSpec's authorizationTestUrl where it has one; a one-record sync otherwise."""
        values = placeholder_values(self.config)
        untested = [
            stream
            for stream in self.streams.values()
            if not (
                isinstance(stream, SpecStream)
                and auth.check_connection(
                    stream.spec,
                    {**stream.spec.defaults, **values},
                    stream.authenticator,
                    base_url=self.config.get("base_url"),
                    timeout=stream.timeout,
                )
            )
        ]
        return self.run_sync_dry_run(dry_run_record_limit=1, streams=untested)

    def _catalog_schema(self, spec: StreamSpec) -> dict[str, Any] | None:
        """The schema from an input catalog, so a run does not sample the API again."""
        catalog = self.input_catalog
        entry = catalog.get_stream(spec.name) if catalog else None
        return entry.schema.to_dict() if entry and spec.schema is None else None


def check_settings(config: Mapping[str, Any]) -> None:
    """Dates must parse; the window must not end before it starts."""
    lines = []
    for name in ("start_date", "end_date"):
        value = config.get(name)
        if value:
            try:
                dates.parse_datetime(str(value))
            except ValueError:
                lines.append(f"config: {name}: {value!r} is not a date-time (e.g. 2024-01-01T00:00:00Z)")
    if not lines and config.get("start_date") and config.get("end_date"):
        start, end = (dates.parse_datetime(str(config[n])) for n in ("start_date", "end_date"))
        if start > end:
            lines.append("config: end_date: is before start_date")
    if lines:
        raise SettingsError(lines)


def placeholder_values(config: Mapping[str, Any]) -> dict[str, Any]:
    """Values for placeholders: the secret settings over the params (spec defaults come later)."""
    params = dict(config.get("params") or {})
    secrets = {name: config[name] for name in SECRET_SETTINGS if config.get(name)}
    return {**params, **secrets}


def resolve_specs(entries: list[str]) -> list[tuple[Path, str]]:
    """Files, directories (every *.json inside) and glob patterns, in a stable order."""
    found: list[tuple[Path, str]] = []
    missing: list[str] = []
    for entry in entries:
        path = Path(entry)
        if path.is_dir():
            matches = sorted(str(p) for p in path.glob("*.json"))
        elif path.is_file():
            matches = [entry]
        else:
            matches = sorted(glob.glob(entry, recursive=True))
        if not matches:
            missing.append(f"config: specs: {entry!r} matches no file")
        found.extend((Path(m), m) for m in matches)
    if missing:
        raise SettingsError(missing)
    unique = dict.fromkeys(found)
    return list(unique)


def duplicate_names(specs: list[StreamSpec]) -> list[str]:
    """Two specs may not make streams of the same name."""
    seen: dict[str, str] = {}
    lines = []
    for spec in specs:
        if spec.name in seen:
            lines.append(f"{spec.file}: singer.name: stream {spec.name!r} is also made by {seen[spec.name]}")
        seen.setdefault(spec.name, spec.file)
    return lines


def main() -> None:
    """`tap-restspec`: the SDK's CLI, with user errors as plain lines and exit code 1."""
    try:
        TapRestSpec.cli()
    except UserError as exc:
        for line in exc.lines:
            print(redact.REDACTOR.redact(line), file=sys.stderr)
        sys.exit(1)
    except ConfigValidationError as exc:
        for line in exc.errors or [str(exc)]:
            print(f"config: {line}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
