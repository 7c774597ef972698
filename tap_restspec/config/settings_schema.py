"""The settings as `--about`, Meltano and the SDK's validation see them: their JSON schema.

Every setting's name, type, default and description is here, once (`CONFIG_SCHEMA`);
`settings.py` checks the values into one typed object, and `scripts/generate-docs` copies
this schema into the plugin definition and `docs/settings.md`.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_restspec.model.spec import SECRET_SETTINGS

SECRET_DESCRIPTIONS = {
    "api_key": "API key or token; also the placeholder ${api_key}.",
    "username": "User name for Basic authentication; also ${username}.",
    "password": "Password or API token for Basic authentication; also ${password}.",
    "client_id": "OAuth2 client id; also ${client_id}.",
    "client_secret": "OAuth2 client secret; also ${client_secret}.",
    "access_token": "OAuth2 or bearer access token; also ${access_token}.",
    "refresh_token": "OAuth2 refresh token; also ${refresh_token}.",
}


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
        "utc_date_times",
        th.BooleanType,
        default=False,
        description="Write every top-level date-time value (a property of format date-time) with "
        "another offset as the same instant in UTC, ending in Z (its other characters kept), so "
        "target-postgres's use_copy stores it right (COPY ignores the offset). Dates, nested "
        "objects and values already in UTC are not changed.",
    ),
    th.Property(
        "base_url",
        th.StringType,
        description="Replaces the scheme, host and port of every spec's host, for a mock "
        "or the bundled demo API; next-page links are not rewritten (one to another origin "
        "is refused).",
    ),
    th.Property(
        "shard",
        th.StringType,
        description='"i/n" (0 <= i < n): read only this process\'s share of n: the partitions (list '
        "values and parent records) whose stable hash modulo n is i, and of the streams without "
        "partitions those whose name hashes to i. Each shard keeps its own state.",
    ),
    *(
        th.Property(name, th.StringType, secret=True, description=SECRET_DESCRIPTIONS[name])
        for name in SECRET_SETTINGS
    ),
).to_dict()
