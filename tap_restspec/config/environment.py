"""`TAP_RESTSPEC_<NAME>` variables of the environment, read as the SDK reads them but without a
`.env` file, and a line for each one the SDK could not parse.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from tap_restspec.config.settings_schema import CONFIG_SCHEMA
from tap_restspec.model.spec import SECRET_SETTINGS


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
