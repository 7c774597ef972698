"""Job `partitions`: many partitions and child passes in one process, at growing sizes.

At each size N (`--partitions`, default 1,000, 10,000 and 100,000) the tap reads, from the
mock API, a windowed stream with N list partitions (`params.listId`: one request and two
records each) and a full-table parent of N/5 records (pages of 1,000) whose full-table
child runs once per parent record (one request and one record each): 1.2 N + N/5000
requests. Figures, each against the smallest size: peak RSS; wall and CPU time per
request; STATE bytes per unit. Then, unless `--no-resume`, the run is resumed from the
STATE message with about half the partitions done: the second run must read exactly the
partitions that STATE does not bookmark at `end_date`, every parent and child again (a
full-table child keeps no bookmark), and end with the first run's final state.
"""

from __future__ import annotations

import argparse
import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from harness import BENCH, Sample, check, mock_api, progress, reap, start, table

START, END = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"
PARENT_PAGE = 1000


@dataclass
class Output:
    """What one run wrote: records per stream, STATE messages (count, bytes, chosen ones)."""

    records: dict[str, int]
    states: int
    state_bytes: int
    middle: dict[str, Any]
    final: dict[str, Any]


def specs(workdir: Path) -> list[str]:
    """The three specs: partitions of /offset, and a parent and its child on /offset."""
    base = json.loads((BENCH / "specs" / "offset.json").read_text())
    schema = base["sourceSpec"]["attributes"]["schema"]

    def spec(name: str, keys: list[str], query: dict[str, str], **more: Any) -> str:
        document = copy.deepcopy(base)
        document["singer"] = {"name": name, "primaryKeys": keys, **more.pop("singer", {})}
        attributes = document["sourceSpec"]["attributes"]
        attributes["urlParams"]["queryParams"] = query
        attributes["paginationParams"] = more.pop("paging", {"type": "NONE"})
        attributes["schema"] = copy.deepcopy(schema)
        attributes.update(more)
        path = workdir / f"{name}.json"
        path.write_text(json.dumps(document))
        return str(path)

    return [
        spec(
            "members",
            ["id", "listId"],
            {"limit": "2", "offset": "0", "list": "${listId}"},
            scheduleParams={"scheduleStartParamName": "since", "scheduleEndParamName": "until"},
        ),
        spec(
            "parents",
            ["id"],
            {},
            paging={
                "type": "OFFSET",
                "limitName": "limit",
                "limitValue": str(PARENT_PAGE),
                "offSetName": "offset",
            },
        ),
        spec(
            "children",
            ["id", "parentId"],
            {"limit": "1", "offset": "0", "parent": "${parentId}"},
            singer={"parent": {"stream": "parents", "values": {"parentId": "$.web_id"}}},
        ),
    ]


def config(workdir: Path, url: str, size: int, state: dict[str, Any] | None = None) -> list[str]:
    """The tap's command line for N partitions (and a state file, when resuming)."""
    path = workdir / f"config_{size}.json"
    lists = [f"l{i:07d}" for i in range(size)]
    settings = {
        "specs": specs(workdir),
        "base_url": url,
        "params": {"listId": lists},
        "start_date": START,
        "end_date": END,
    }
    path.write_text(json.dumps(settings))
    command = ["--config", str(path)]
    if state is not None:
        state_path = workdir / f"state_{size}.json"
        state_path.write_text(json.dumps(state))
        command += ["--state", str(state_path)]
    return command


def read_output(path: Path) -> Output:
    """Count the records per stream and the STATE traffic; keep the last STATE, and the one with
    the number of partitions done nearest half.
    """
    records: dict[str, int] = {}
    offsets: list[int] = []
    state_bytes = 0
    with path.open("rb") as lines:
        offset = 0
        for line in lines:
            if line.startswith(b'{"type":"RECORD"'):
                stream = line[27 : line.index(b'"', 27)].decode()
                records[stream] = records.get(stream, 0) + 1
            elif line.startswith(b'{"type":"STATE"'):
                offsets.append(offset)
                state_bytes += len(line)
            offset += len(line)

    def state_at(position: int) -> dict[str, Any]:
        with path.open("rb") as lines:
            lines.seek(position)
            value: dict[str, Any] = orjson.loads(lines.readline())["value"]
            return value

    final = state_at(offsets[-1])
    half = len(done(final)) / 2
    middle = min((state_at(at) for at in offsets), key=lambda state: abs(len(done(state)) - half))
    return Output(records, len(offsets), state_bytes, middle, final)


def measured(name: str, tap: str, command: list[str], out: Path) -> Sample:
    with out.open("wb") as sink:
        child = start(name, [tap, *command], stdout=sink)
        sample = reap(child)
    check(child)
    return sample


def expect(output: Output, size: int, name: str, members: int | None = None) -> None:
    """Every record once: 2 per partition read, every parent and child."""
    parents = size // 5
    wanted = {"members": 2 * (size if members is None else members), "parents": parents, "children": parents}
    got = {k: output.records.get(k, 0) for k in wanted}
    if got != wanted:
        raise SystemExit(f"{name}: records {got}, expected {wanted}")


def done(state: dict[str, Any]) -> set[str]:
    """The partitions a state bookmarks at the end of the window."""
    partitions = state.get("bookmarks", {}).get("members", {}).get("partitions", [])
    return {p["context"]["listId"] for p in partitions if p.get("replication_key_value") == END}


def run(args: argparse.Namespace, workdir: Path) -> None:
    """Each size: one measured run, the figures, and the resumed run's check."""
    rows: dict[int, tuple[Sample, Output, int]] = {}
    sizes = sorted(args.partitions)
    for size in sizes:
        parents = size // 5
        requests = size + parents // PARENT_PAGE + 1 + parents
        with mock_api(max(parents, 1)) as url:
            out = workdir / f"out_{size}.jsonl"
            sample = measured(f"tap, {size} partitions", args.tap, config(workdir, url, size), out)
            output = read_output(out)
            expect(output, size, f"{size} partitions")
            progress(
                f"  {size:,} partitions: {sample.wall:.1f}s (cpu {sample.cpu:.1f}s), "
                f"{sample.rss_kb / 1024:.0f} MB, {output.states} STATE, {output.state_bytes / 1e6:.1f} MB"
            )
            rows[size] = (sample, output, requests)
            if not args.no_resume:
                resume(args, workdir, url, size, output)
            out.unlink()
    report(rows, sizes[0])


def canonical(state: dict[str, Any]) -> str:
    """A state as sorted JSON, each stream's partitions sorted (their order is the run's)."""
    state = copy.deepcopy(state)
    for entry in state.get("bookmarks", {}).values():
        if isinstance(entry.get("partitions"), list):
            entry["partitions"].sort(key=lambda p: json.dumps(p, sort_keys=True))
    return json.dumps(state, sort_keys=True)


def resume(args: argparse.Namespace, workdir: Path, url: str, size: int, output: Output) -> None:
    """From the middle STATE: exactly the partitions not done, and the same final state."""
    finished = done(output.middle)
    out = workdir / f"resumed_{size}.jsonl"
    sample = measured(f"tap resumed, {size}", args.tap, config(workdir, url, size, output.middle), out)
    again = read_output(out)
    expect(again, size, f"{size} partitions, resumed", members=size - len(finished))
    if canonical(again.final) != canonical(output.final):
        raise SystemExit(
            f"{size} partitions, resumed: the final state differs from the first run's:\n"
            f"{json.dumps(again.final)[:300]}\n{json.dumps(output.final)[:300]}"
        )
    progress(
        f"  resumed from the STATE halfway ({len(finished):,} partitions done):"
        f" {sample.wall:.1f}s, {again.records.get('members', 0):,} member records, final state identical"
    )
    out.unlink()


def report(rows: dict[int, tuple[Sample, Output, int]], base: int) -> None:
    first, first_out, first_requests = rows[base]
    units = {size: size + 2 * (size // 5) for size in rows}  # partitions, the parent, child passes

    def per(sample: Sample, requests: int) -> float:
        return sample.wall / requests * 1000

    table(
        (
            "partitions",
            "requests",
            "wall s",
            "cpu s",
            "ms / request",
            "x",
            "peak RSS MB",
            "x",
            "STATE messages",
            "STATE MB",
            "STATE bytes / unit",
            "x",
            "final STATE MB",
        ),
        [
            (
                f"{size:,}",
                f"{requests:,}",
                f"{sample.wall:.1f}",
                f"{sample.cpu:.1f}",
                f"{per(sample, requests):.2f}",
                f"{per(sample, requests) / per(first, first_requests):.2f}",
                f"{sample.rss_kb / 1024:.0f}",
                f"{sample.rss_kb / first.rss_kb:.2f}",
                f"{output.states}",
                f"{output.state_bytes / 1e6:.1f}",
                f"{output.state_bytes / units[size]:.0f}",
                f"{output.state_bytes / units[size] / (first_out.state_bytes / units[base]):.2f}",
                f"{len(orjson.dumps(output.final)) / 1e6:.2f}",
            )
            for size, (sample, output, requests) in sorted(rows.items())
        ],
    )
