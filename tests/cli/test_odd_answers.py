"""Odd but usable answers, handled through the real command line: a page count header that is no
number, a token's `expires_in` that is absurd, and an output pipe that closes early.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import TAP_BIN, Reply, Seen, run_cli, source_spec

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
FAST = {"request_timeout": 2, "max_retries": 0, "max_retry_wait": 2}


def write(tmp_path: Path, document: Any, name: str = "x.json") -> str:
    (tmp_path / name).write_text(document if isinstance(document, str) else json.dumps(document))
    return name


ODD_COUNTS = ["²", "٣".encode().decode("latin-1"), "1e3", "-1", "99999999999999999999", ""]


def test_an_odd_page_count_header_is_ignored_and_paging_ends_on_a_short_page(tmp_path, serve):
    def handler(seen: Seen) -> Reply:
        page = int(seen.q("page"))
        items = [{"id": page * 2 + i} for i in range(2 if page < 2 else 1)]
        return Reply(body={"items": items}, headers={"X-Total-Pages": ODD_COUNTS[int(seen.path[2:])]})

    api = serve(handler)
    paging = {
        "type": "PAGE",
        "limitName": "n",
        "limitValue": 2,
        "pageParamName": "page",
        "endPageIndex": "headers.X-Total-Pages",
    }
    names = [
        write(tmp_path, source_spec(api.url, f"/p{i}", schema=SCHEMA, pagination=paging), f"p{i}.json")
        for i in range(len(ODD_COUNTS))
    ]
    result = run_cli(tmp_path, {"specs": names, **FAST})
    assert result.code == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for i in range(len(ODD_COUNTS)):
        assert [seen.q("page") for seen in api.seen if seen.path == f"/p{i}"] == ["0", "1", "2"]
        assert [
            m["record"]["id"]
            for m in result.messages()
            if m.get("stream") == f"p{i}" and m["type"] == "RECORD"
        ] == [0, 1, 2, 3, 4]


EXPIRES_IN = ["1e20", "1e400", "1" + "0" * 400, "-5", '"soon"', '"1e20"', "null", "[]"]


def test_an_absurd_expires_in_is_capped_or_ignored(tmp_path, serve):
    def handler(seen: Seen) -> Reply:
        if seen.path.startswith("/token/"):
            value = EXPIRES_IN[int(seen.path.rsplit("/", 1)[1])]
            return Reply(raw=f'{{"access_token": "fresh-token-{seen.path[-1]}", "expires_in": {value}}}')
        return Reply(body={"items": [{"id": 1}]})

    api = serve(handler)
    names = []
    for i in range(len(EXPIRES_IN)):
        props = {n: {"type": "string"} for n in ("accessToken", "refreshToken")}
        props["accessTokenUrl"] = {"type": "string", "default": f"{api.url}/token/{i}"}
        entry = {"name": "o", "type": "OAuth2RefreshCode", "spec": {"properties": props, "required": []}}
        doc = {**source_spec(api.url, f"/items/{i}", schema=SCHEMA), "authSpec": [entry]}
        names.append(write(tmp_path, doc, f"t{i}.json"))
    result = run_cli(tmp_path, {"specs": names, "refresh_token": "r3fresh-0000", **FAST})
    assert result.code == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for i in range(len(EXPIRES_IN)):
        (sent,) = [seen for seen in api.seen if seen.path == f"/items/{i}"]
        assert sent.headers["Authorization"] == f"Bearer fresh-token-{i}"
    assert len(result.records()) == len(EXPIRES_IN)


def test_a_closed_output_pipe_is_a_quiet_exit(tmp_path, serve):
    many = [{"id": i, "name": "x" * 100} for i in range(2000)]
    api = serve(lambda seen: Reply(body={"items": many[int(seen.q("offset")) : int(seen.q("offset")) + 500]}))
    paging = {"type": "OFFSET", "limitName": "limit", "limitValue": 500, "offSetName": "offset"}
    write(tmp_path, source_spec(api.url, schema=SCHEMA, pagination=paging))
    write(tmp_path, {"specs": ["x.json"], **FAST}, "config.json")
    done = subprocess.run(
        [
            "bash",
            "-c",
            f"{TAP_BIN} --config config.json 2>err.txt | head -3; echo ${{PIPESTATUS[0]}} >code.txt",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert len(done.stdout.splitlines()) == 3
    assert int((tmp_path / "code.txt").read_text()) in (0, 141)
    errors = (tmp_path / "err.txt").read_text()
    assert "ERROR" not in errors and "Traceback" not in errors and "BrokenPipe" not in errors, errors
