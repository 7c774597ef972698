"""Every generated copy agrees with the tap, and lives in exactly one place.

`tap-restspec --about` is the truth. `tap-restspec.meltano.yml` (the plugin definition
that meltano.yml includes) must list its capabilities and every one of its settings, with
the kind, description and default `--about` gives and `sensitive` exactly for the secrets;
the settings table in docs/settings.md must be what `scripts/generate-docs` writes. No other
document holds a copy of the plugin definition, of meltano.yml's loaders or of the table.
When a setting changes (the tap's CONFIG_SCHEMA), run `scripts/generate-docs`.

Nothing here runs Meltano or touches the network: the tap's `--about`, and files. The
meltano.yml schema check reads Meltano's schema from MELTANO_BIN's virtualenv, else
.meltano-venv/.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_FILE = ROOT / "tap-restspec.meltano.yml"
MELTANO_FILE = ROOT / "meltano.yml"
SETTINGS_DOC = ROOT / "docs" / "settings.md"
SCRIPT = ROOT / "scripts" / "generate-docs"
FIX = "run scripts/generate-docs"


def tap_executable() -> str:
    """TAP_RESTSPEC_BIN, else the tap next to this Python, else PATH."""
    for cand in (
        os.environ.get("TAP_RESTSPEC_BIN"),
        str(Path(sys.executable).parent / "tap-restspec"),
        shutil.which("tap-restspec"),
    ):
        if cand and os.access(cand, os.X_OK):
            return cand
    pytest.fail("tap-restspec not found (pip install -e . in this virtualenv)")


def run_about(fmt: str) -> str:
    proc = subprocess.run(
        [tap_executable(), "--about", f"--format={fmt}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, f"tap-restspec --about --format={fmt} failed:\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def about() -> dict[str, Any]:
    return json.loads(run_about("json"))


@pytest.fixture(scope="module")
def about_markdown() -> str:
    return run_about("markdown")


@pytest.fixture(scope="module")
def plugin() -> dict[str, Any]:
    data = yaml.safe_load(PLUGIN_FILE.read_text())
    extractors = data["plugins"]["extractors"]
    assert [e["name"] for e in extractors] == ["tap-restspec"], "the file defines the one extractor"
    assert set(data["plugins"]) == {"extractors"}, "the plugin file defines only the extractor"
    return extractors[0]


@pytest.fixture(scope="module")
def script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("generate_docs", str(SCRIPT))
    spec = importlib.util.spec_from_loader("generate_docs", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def expected_kind(schema: dict[str, Any]) -> str:
    """The Meltano kind a setting's JSON schema calls for.

    A `number` is `string` when the tap also accepts a numeric string: Meltano's
    `decimal` fails from an environment variable (Meltano 4.4 writes a Decimal it cannot
    serialize) and `string` passes "2.5" on untouched. While the tap accepts only JSON
    numbers it stays `integer`, the one kind that works from the environment
    (fractions then work in meltano.yml only).
    """
    types = schema.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    types.discard("null")
    for kind in ("array", "object", "boolean"):
        if kind in types:
            return kind
    if "number" in types:
        return "string" if "string" in types else "integer"
    if "integer" in types:
        return "integer"
    return "date_iso8601" if schema.get("format") == "date-time" else "string"


# --------------------------------------------------------------------------- the definition


def test_identity(plugin: dict[str, Any], about: dict[str, Any]) -> None:
    assert plugin["name"] == about["name"] == "tap-restspec"
    assert plugin["namespace"] == "tap_restspec"  # Meltano's load schema in the target
    assert plugin["executable"] == "tap-restspec"
    assert isinstance(plugin.get("pip_url"), str) and plugin["pip_url"].strip()
    assert plugin.get("label") and plugin.get("description")


def test_capabilities_are_the_taps(plugin: dict[str, Any], about: dict[str, Any]) -> None:
    declared = plugin.get("capabilities") or []
    assert len(declared) == len(set(declared)), f"duplicate capabilities: {declared}"
    missing = sorted(set(about["capabilities"]) - set(declared))
    extra = sorted(set(declared) - set(about["capabilities"]))
    assert not missing and not extra, f"capabilities: missing {missing}, not the tap's {extra}; {FIX}"


def test_every_setting_is_declared(plugin: dict[str, Any], about: dict[str, Any]) -> None:
    names = [s["name"] for s in plugin.get("settings") or []]
    assert len(names) == len(set(names)), f"a setting is declared twice: {names}"
    taps = list(about["settings"]["properties"])
    missing = [n for n in taps if n not in names]
    extra = [n for n in names if n not in taps]
    assert not missing and not extra, f"settings: missing {missing}, not the tap's {extra}; {FIX}"


def test_settings_match_about(plugin: dict[str, Any], about: dict[str, Any]) -> None:
    declared = {s["name"]: s for s in plugin.get("settings") or []}
    problems = []
    for name, schema in about["settings"]["properties"].items():
        setting = declared.get(name)
        if setting is None:
            continue  # test_every_setting_is_declared says so
        want = expected_kind(schema)
        if setting.get("kind") != want:
            problems.append(f"{name}: kind {setting.get('kind')!r}, want {want!r}")
        label = setting.get("label")
        if not label or (schema.get("title") and label != schema["title"]):
            problems.append(f"{name}: label {label!r}, want {schema.get('title') or 'one'!r}")
        if setting.get("description") != schema.get("description"):
            problems.append(f"{name}: description differs from --about's")
        if ("value" in setting) != ("default" in schema) or setting.get("value") != schema.get("default"):
            problems.append(
                f"{name}: value {setting.get('value')!r}, --about's default {schema.get('default')!r}"
            )
        if bool(setting.get("sensitive")) != bool(schema.get("secret")):
            problems.append(
                f"{name}: sensitive {setting.get('sensitive')!r}, secret {schema.get('secret')!r}"
            )
    assert not problems, f"{FIX}:\n" + "\n".join(problems)


def test_required_settings_are_validated(plugin: dict[str, Any], about: dict[str, Any]) -> None:
    required = sorted(about["settings"].get("required") or [])
    assert required == ["specs"]
    groups = plugin.get("settings_group_validation")
    assert [sorted(g) for g in groups or []] == [required], f"settings_group_validation: {groups}"


def test_secrets_are_sensitive_strings(plugin: dict[str, Any], about: dict[str, Any]) -> None:
    secrets = [name for name, schema in about["settings"]["properties"].items() if schema.get("secret")]
    assert {"api_key", "password", "client_secret", "refresh_token"} <= set(secrets)
    declared = {s["name"]: s for s in plugin["settings"]}
    for name in secrets:
        assert declared[name].get("sensitive") is True, name
        assert declared[name]["kind"] == "string", f"{name}: `kind: password` is deprecated"
        assert "value" not in declared[name], name


# --------------------------------------------------------------------------- meltano.yml


def test_meltano_yml_includes_the_definition() -> None:
    project = yaml.safe_load(MELTANO_FILE.read_text())
    patterns = project.get("include_paths") or []
    assert any(fnmatch.fnmatch(PLUGIN_FILE.name, p.removeprefix("./")) for p in patterns), patterns
    extractors = (project.get("plugins") or {}).get("extractors") or []
    assert "tap-restspec" not in [e["name"] for e in extractors], "defined twice"
    loaders = [p["name"] for p in project["plugins"]["loaders"]]
    assert {"target-postgres", "target-jsonl"} <= set(loaders)
    assert {"dev", "prod"} <= {e["name"] for e in project["environments"]}


def _meltano_schema() -> dict[str, Any]:
    """Meltano's own meltano.yml schema, from the Meltano that MELTANO_BIN names, else .meltano-venv/."""
    venvs = [ROOT / ".meltano-venv"]
    if os.environ.get("MELTANO_BIN"):
        venvs.insert(0, Path(os.environ["MELTANO_BIN"]).resolve().parent.parent)
    pattern = "lib/python3*/site-packages/meltano/schemas/meltano.schema.json"
    found = [sorted(venv.glob(pattern)) for venv in venvs]
    found = [paths[-1] for paths in found if paths]
    if not found:
        pytest.fail("no Meltano in MELTANO_BIN's virtualenv or .meltano-venv/ (scripts/test installs it)")
    return json.loads(found[0].read_text())


def test_project_is_valid_meltano_config() -> None:
    """meltano.yml with the plugin file merged in, against Meltano's own schema."""
    from jsonschema import Draft202012Validator

    project = yaml.safe_load(MELTANO_FILE.read_text())
    included = yaml.safe_load(PLUGIN_FILE.read_text())
    project["plugins"] = {**project.get("plugins", {}), **included["plugins"]}
    validator = Draft202012Validator(_meltano_schema())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(project)]
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- generated files


def _diff(now: str, generated: str, name: str) -> str:
    lines = difflib.unified_diff(
        now.splitlines(True), generated.splitlines(True), f"{name} (now)", f"{name} (generated)"
    )
    return "".join(list(lines)[:60])


def test_plugin_file_is_what_the_script_writes(script: ModuleType, about: dict[str, Any]) -> None:
    now = PLUGIN_FILE.read_text()
    generated = script.render_plugin_file(about, now)
    assert now == generated, f"{FIX}\n{_diff(now, generated, PLUGIN_FILE.name)}"


def test_settings_doc_is_what_the_script_writes(script: ModuleType, about_markdown: str) -> None:
    now = SETTINGS_DOC.read_text()
    generated = script.render_settings_doc(now, about_markdown)
    assert now == generated, f"{FIX}\n{_diff(now, generated, 'docs/settings.md')}"


def test_settings_doc_table_is_abouts(about_markdown: str) -> None:
    """Every settings row of --about --format=markdown is in docs/settings.md, in its order."""
    rows = [line for line in about_markdown.splitlines() if line.startswith("| ")]
    doc = SETTINGS_DOC.read_text()
    positions = [doc.find(row + "\n") for row in rows]
    assert -1 not in positions, f"{FIX}: missing {rows[positions.index(-1)]}"
    assert positions == sorted(positions)


def documents() -> list[Path]:
    """The repository's Markdown files (not those of virtualenvs or Meltano's install)."""
    skip = {".git", ".venv", ".meltano-venv", ".meltano", ".demo", "node_modules"}
    return sorted(
        path
        for path in ROOT.rglob("*.md")
        if not skip & set(path.relative_to(ROOT).parts) and not path.name.startswith(".")
    )


def test_each_copy_lives_in_one_place(about_markdown: str) -> None:
    """The settings table only in docs/settings.md; the plugin definition and the loaders in no
    document (they are linked to): a second copy would go stale unnoticed.
    """
    row = next(line for line in about_markdown.splitlines() if line.startswith("| specs |"))
    marks = {
        "the settings table": row,
        "the plugin definition": "settings_group_validation:",
        "meltano.yml's loaders": "pip_url: meltanolabs-target-postgres",
    }
    found = [
        f"{path.relative_to(ROOT)} holds a copy of {what}"
        for path in documents()
        for what, mark in marks.items()
        if mark in path.read_text() and not (path == SETTINGS_DOC and what == "the settings table")
    ]
    assert not found, "\n".join(found)
    assert row in SETTINGS_DOC.read_text()


def test_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env python3\n")
