"""Adding a vendor is one new file and its entry in demo/registry.py (the recipe at the top of
that module): a tiny vendor, written to a temporary module, is served with its data, paging,
auth, error shapes, ticks and command-line flag, and the other vendors keep their data."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import requests

from demo.api import DemoAPI
from demo.registry import DATASETS, VENDORS
from tests.demo.common import BEARER, LATER, NOW, ROOT

#: The whole vendor: one dataset, one list endpoint, its own error body.
TINY = '''
"""Tiny: one list of items at GET /tiny/items (limit and offset), Bearer auth."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from demo.core.messages import ApiError, Request
from demo.data.store import Dataset, Row
from demo.data.times import fmt_z
from demo.rest.endpoint import Endpoint
from demo.rest.paging import Offset, Page
from demo.rest.vendor import Option, Vendor


class Tiny(Vendor):
    name = "tiny"
    prefix = "/tiny/"
    datasets = (Dataset("tiny_items", change_key="updated_at", size="items"),)
    options = (Option("items", 4),)

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        return ApiError(status, {"tiny_error": message})

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        return {"id": n + 1, "colour": rng.choice(["red", "blue"]), "updated_at": fmt_z(changed)}

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        row["updated_at"] = fmt_z(moment)

    def endpoints(self) -> tuple[Endpoint, ...]:
        paging = Offset("limit", "offset", default=2, hi=10)
        items = Endpoint(
            "GET", "/tiny/items", self, "bearer", dataset="tiny_items", paging=paging, envelope=self.page,
            headers=self.link,  # a Link header to the next page
        )
        return (items,)

    def page(self, request: Request, page: Page, _arg: str | None) -> dict[str, Any]:
        return {"items": page.rows, "total": page.total}

    def link(self, request: Request, page: Page, _arg: str | None) -> dict[str, str]:
        after = page.offset + len(page.rows)
        if after >= page.total:
            return {}
        return {"Link": f'<{request.link(request.route, [("offset", str(after))])}>; rel="next"'}
'''


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_vendor_in_a_new_module_is_served(tmp_path: Path) -> None:
    (tmp_path / "tiny_vendor.py").write_text(TINY)
    tiny = load(tmp_path / "tiny_vendor.py").Tiny
    with DemoAPI(seed=7, now=NOW, vendors=(*VENDORS, tiny), items=7) as api, requests.Session() as http:
        first = http.get(f"{api.url}/tiny/items", timeout=10, **BEARER)
        assert first.json()["total"] == 7 and [i["id"] for i in first.json()["items"]] == [1, 2]  # limit: 2
        assert first.links["next"]["url"] == f"{api.url}/tiny/items?offset=2"  # its own Link header
        rest = http.get(f"{api.url}/tiny/items", params={"offset": 2, "limit": 10}, timeout=10, **BEARER)
        assert [i["id"] for i in rest.json()["items"]] == [3, 4, 5, 6, 7] == api.ids("tiny_items")[2:]
        assert "Link" not in rest.headers
        # its own error shape: auth, a bad parameter, an unknown path under its prefix, a fault
        assert http.get(f"{api.url}/tiny/items", timeout=10).json() == {"tiny_error": "Unauthorized"}
        bad = http.get(f"{api.url}/tiny/items", params={"limit": 11}, timeout=10, **BEARER)
        assert bad.status_code == 400 and bad.json() == {"tiny_error": "limit must be between 0 and 10"}
        assert http.get(f"{api.url}/tiny/nothing", timeout=10, **BEARER).json() == {
            "tiny_error": "Resource not found"
        }
        api.fail_next(status=503, path="/tiny/")
        assert http.get(f"{api.url}/tiny/items", timeout=10, **BEARER).json() == {
            "tiny_error": "injected fault"
        }
        # the admin endpoints and ticks know it; its option reads back
        assert len(http.get(f"{api.url}/_demo/data/tiny_items", timeout=10).json()) == 7 == api.items
        changed = api.tick(LATER, updates=1, adds=1)["tiny_items"]
        assert len(changed["updated"]) == 1 and changed["added"] == [8]
        assert {r["id"] for r in api.changed_between("tiny_items", LATER)} == {*changed["updated"], 8}
    # listed last, it leaves the other vendors' data alone
    without, beside = DemoAPI(seed=7, now=NOW), DemoAPI(seed=7, now=NOW, vendors=(*VENDORS, tiny))
    assert all(beside.records(d) == without.records(d) for d in DATASETS)


def test_the_recipe_one_file_and_its_registry_entry(tmp_path: Path) -> None:
    """A copy of demo/ with demo/vendors/tiny.py and its lines in registry.py, run as python -m demo."""
    shutil.copytree(ROOT / "demo", tmp_path / "demo", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "demo" / "vendors" / "tiny.py").write_text(TINY)
    registry = tmp_path / "demo" / "registry.py"
    text = registry.read_text()
    listed = text.replace(",\n)\n", ",\n    Tiny,\n)\n", 1)  # last in VENDORS
    listed = listed.replace(
        "from demo.vendors.zendesk import Zendesk\n",
        "from demo.vendors.tiny import Tiny\nfrom demo.vendors.zendesk import Zendesk\n",
    )
    added = [line for line in listed.splitlines() if line not in text.splitlines()]
    assert added == ["from demo.vendors.tiny import Tiny", "    Tiny,"]
    registry.write_text(listed)
    command = [sys.executable, "-m", "demo", "--port", "0", "--items", "3"]
    help_text = subprocess.run(
        [*command[:3], "--help"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "--items ITEMS" in help_text.stdout
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"Demo API listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        body = requests.get(f"{match.group(1)}/tiny/items", params={"limit": 10}, timeout=10, **BEARER).json()
        assert body["total"] == 3 and [i["id"] for i in body["items"]] == [1, 2, 3]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
