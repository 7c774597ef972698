"""The README's first spec runs as written against the demo API, as its commands say.

The spec and the config are read from the README's "A first spec" section (its two JSON
blocks); only the demo API's address in `base_url` is this test's own. The commands are
the section's: `--discover`, a first run, its last STATE as the state file, the demo's
tick, and a second run that reads only the window since the bookmark.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import requests

from demo.api import DemoAPI
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## A first spec"
README_URL = "http://127.0.0.1:8765"


def section() -> str:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else None]


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", section(), re.MULTILINE | re.DOTALL)


def readme_files(tmp_path: Path, url: str) -> dict[str, Any]:
    """members.json written as the README shows it; the config, with the demo's address."""
    spec, config = blocks("json")
    (tmp_path / "members.json").write_text(spec)
    settings = json.loads(config)
    assert settings["base_url"] == README_URL and settings["specs"] == ["members.json"]
    return {**settings, "base_url": url}


def member_requests(api: DemoAPI) -> list[dict[str, Any]]:
    return [r for r in api.requests if r["path"].endswith("/members")]


def test_the_spec_is_about_twenty_lines() -> None:
    spec, _ = blocks("json")
    assert 15 <= len(spec.splitlines()) <= 25
    commands = blocks("bash")[0]
    for word in ("python -m demo --port 8765", "--discover", "--state state.json", "_demo/tick"):
        assert word in commands


def test_the_first_spec_runs_against_the_demo_api(tmp_path: Path) -> None:
    with DemoAPI() as api:
        config = readme_files(tmp_path, api.url)

        discovered = run_cli(tmp_path, config, "--discover")
        assert discovered.code == 0, discovered.stderr
        catalog = json.loads(discovered.stdout)
        assert [s["tap_stream_id"] for s in catalog["streams"]] == ["mailchimp_members"]

        api.clear_requests()
        first = run_cli(tmp_path, config)
        assert first.code == 0, first.stderr
        records = first.records()
        listed = [m for m in api.records("mailchimp_members") if m["list_id"] == "a1b2c3d4e5"]
        assert len(records) == len(listed) == 250  # "250 records, then STATE"
        state = first.messages()[-1]
        assert state["type"] == "STATE"
        bookmark = state["value"]["bookmarks"]["mailchimp_members"]
        assert bookmark["replication_key"] == "window_end"

        requests.post(f"{api.url}/_demo/tick", timeout=10).raise_for_status()
        time.sleep(1.05 - time.time() % 1)  # a window ends on a whole second: past the tick's
        api.clear_requests()
        second = run_cli(tmp_path, config, state=state["value"])
        assert second.code == 0, second.stderr
        seen = member_requests(api)
        assert seen and all(
            r["params"]["since_last_changed"] == [bookmark["replication_key_value"].replace("Z", "+00:00")]
            for r in seen
        )
        changed = {r["id"] for r in second.records()}
        assert len(changed) == len(second.records()) == 8  # "the demo changes 8 members"
        assert changed <= {m["id"] for m in api.records("mailchimp_members") if m["list_id"] == "a1b2c3d4e5"}
