"""The files a user hands the tap: `--config` (merged, `ENV` for the environment), `--state` and
`--catalog`, each read with a one-line error naming the file, and a catalog's schemas checked
before the SDK reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tap_restspec.config.settings import register_secrets
from tap_restspec.errors import SettingsError
from tap_restspec.model.fields import NotJSONError, loads


@dataclass(frozen=True)
class ConfigInput:
    """What `--config` gives the SDK's callbacks (they read `.config` and `.parse_env`)."""

    config: dict[str, Any]
    parse_env: bool = False


def read_config_files(paths: tuple[str, ...]) -> tuple[dict[str, Any], bool]:
    """The merged config of `--config` files (`ENV`: environment variables too)."""
    config: dict[str, Any] = {}
    parse_env = False
    for path in paths:
        if path == "ENV":
            parse_env = True
            continue
        config.update(_json_object(path, "config"))
    register_secrets(config)
    return config, parse_env


def read_state_file(handle: Any) -> dict[str, Any]:
    """The `--state` file as a dict, or one line saying what is wrong with it."""
    name = getattr(handle, "name", "state")
    try:
        text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"state: {name}: cannot read it: {exc}") from None
    if not text.strip():
        return {}
    try:
        value = loads(text)
    except (ValueError, RecursionError) as exc:
        raise SettingsError(f"state: {name}: not valid JSON: {_why(exc)}") from None
    if not isinstance(value, dict):
        raise SettingsError(f'state: {name}: not a Singer state object (expected {{"bookmarks": {{...}}}})')
    return value


def read_catalog_file(handle: Any) -> dict[str, Any]:
    """The `--catalog` file as a dict, or one line saying what is wrong with it."""
    name = getattr(handle, "name", "catalog")
    try:
        value = loads(handle.read())
    except (OSError, ValueError, RecursionError):
        raise SettingsError(f"catalog: {name}: not a readable JSON file") from None
    if not isinstance(value, dict) or not isinstance(value.get("streams", []), list):
        raise SettingsError(f'catalog: {name}: not a Singer catalog (expected {{"streams": [...]}})')
    return value


def _json_object(path: str, what: str) -> dict[str, Any]:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SettingsError(f"{what}: {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(
            f"{what}: {path}: cannot read it: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    try:
        value = loads(text)
    except (ValueError, RecursionError) as exc:
        where = f" at line {exc.lineno} column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        why = f" ({exc})" if isinstance(exc, NotJSONError) else ""
        raise SettingsError(f"{what}: {path}: not valid JSON{where}{why}") from None
    if not isinstance(value, dict):
        raise SettingsError(f"{what}: {path}: must be a JSON object of settings")
    return value


def _why(exc: BaseException) -> str:
    """A JSON error in a few words."""
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    return str(exc) if isinstance(exc, NotJSONError) else "nested too deeply"


CATALOG_DEPTH = 100  # levels of nested schemas a catalog may have (the SDK reads them recursively)


def check_catalog(catalog: dict[str, Any], name: str) -> None:
    """One line per schema in a catalog that the SDK cannot read (a property schema `true`)."""
    problems = []
    for entry in catalog.get("streams") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("tap_stream_id"), str):
            problems.append(f"catalog: {name}: every stream must be an object with a tap_stream_id")
            continue
        where = f"catalog: {name}: stream {entry['tap_stream_id']}"
        problems += [f"{where}: {line}" for line in schema_faults(entry.get("schema", {}))]
    if problems:
        raise SettingsError(problems)


def schema_faults(schema: Any) -> list[str]:
    """Where a JSON schema holds something other than an object as a schema (walked without recursion)."""
    faults, todo = [], [("schema", schema, 0)]
    while todo:
        path, node, depth = todo.pop()
        if not isinstance(node, dict):
            faults.append(f"{path}: a schema must be a JSON object, not {json.dumps(node)[:40]}")
            continue
        if depth > CATALOG_DEPTH:
            faults.append(f"{path}: nested more than {CATALOG_DEPTH} levels deep")
            continue
        props = node.get("properties")
        if props is not None and not isinstance(props, dict):
            faults.append(f"{path}.properties: must be a JSON object of schemas")
        elif props:
            todo += [(f"{path}.properties.{k}", v, depth + 1) for k, v in reversed(props.items())]
        if node.get("items") is not None:
            todo.append((f"{path}.items", node["items"], depth + 1))
    return faults
