"""The README's "Adding your own API" runs as written against the demo API.

Its commands are taken from the section: `draft` on the demo's GitHub issues, the drafted
spec run twice with the demo's tick between, then once more with the section's `since`
block added. Only the demo's address is this test's own.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from demo.api import DemoAPI
from tests.helpers import TAP_BIN, Cli, run_cli

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Adding your own API"
README_URL = "http://127.0.0.1:8765"
ISSUES = "/repos/octo-org/octo-repo/issues"


def section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION)
    return text[start : text.index("\n## ", start + len(SECTION))]


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", section(), re.MULTILINE | re.DOTALL)


def draft_command(url: str) -> list[str]:
    """The section's draft command, with the demo's address."""
    words = shlex.split(blocks("bash")[0].replace("\\\n", " ").replace(README_URL, url))
    assert words[:2] == [".venv/bin/tap-restspec", "draft"]
    return [TAP_BIN, *words[1:]]


def config_of_section() -> dict[str, Any]:
    """The config the section's `echo` writes."""
    line = next(line for line in blocks("bash")[1].splitlines() if line.startswith("echo"))
    return json.loads(shlex.split(line)[1])


def tick(url: str) -> set[int]:
    """The demo's tick, in a later second than anything before it: the issue ids it changed."""
    time.sleep(1.05 - time.time() % 1)
    answer = requests.post(f"{url}/_demo/tick", timeout=10).json()["changed"]["github_issues"]
    return {*answer["updated"], *answer["added"]}


def issue_requests(api: DemoAPI) -> list[dict[str, Any]]:
    return [r for r in api.requests if r["path"].endswith("/issues")]


def run(tmp_path: Path, config: dict[str, Any], state: dict[str, Any] | None = None) -> Cli:
    done = run_cli(tmp_path, config, state=state)
    assert done.code == 0, done.stderr
    return done


def test_a_drafted_spec_reads_every_issue_then_only_the_changed_ones(tmp_path: Path) -> None:
    with DemoAPI() as api:
        drafted = subprocess.run(
            draft_command(api.url), cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
        )
        assert drafted.returncode == 0, drafted.stderr
        for line in blocks("text")[0].splitlines():  # the excerpt, word for word
            assert line in drafted.stderr.splitlines()
        assert "any-token" not in drafted.stderr + (tmp_path / "issues.json").read_text()
        config = config_of_section()
        assert config["specs"] == ["issues.json"]

        first = run(tmp_path, config)
        assert len({r["id"] for r in first.records()}) == len(first.records()) == 250
        state = first.messages()[-1]["value"]

        changed = tick(api.url)
        assert len(changed) == 8  # "5 issues updated, 3 added"
        api.clear_requests()
        second = run(tmp_path, config, state)
        assert {r["id"] for r in second.records()} == changed and len(second.records()) == 8
        assert len(issue_requests(api)) == 2  # "asks for two pages"
        state = second.messages()[-1]["value"]

        document = json.loads((tmp_path / "issues.json").read_text())
        document["sourceSpec"]["attributes"].update(json.loads("{" + blocks("json")[0] + "}"))
        (tmp_path / "issues.json").write_text(json.dumps(document))
        changed = tick(api.url)
        api.clear_requests()
        third = run(tmp_path, config, state)
        assert {r["id"] for r in third.records()} == changed
        [asked] = issue_requests(api)  # "later runs then ask once"
        assert asked["params"]["since"] == [state["bookmarks"]["issues"]["replication_key_value"]]
