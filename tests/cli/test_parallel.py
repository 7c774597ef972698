"""Parallel units: valid Singer output, resumable state, and per-origin pacing across streams."""

from __future__ import annotations

import itertools
import threading
import time

from tests.helpers import Collector, Reply, run_tap, source_spec, write_spec

OFFSET = {"type": "OFFSET", "limitName": "limit", "limitValue": 2, "offSetName": "offset"}
ITEMS = [{"id": i} for i in range(6)]


class Tracking:
    """An API that serves ITEMS at /<stream>, slowly, and records when each request ran."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.active = 0
        self.most = 0
        self.starts: list[tuple[str, float]] = []
        self.windows: list[tuple[str, str | None]] = []

    def __call__(self, seen):
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
            self.starts.append((seen.path, time.monotonic()))
            self.windows.append((seen.path, seen.q("since")))
        time.sleep(self.delay)
        with self.lock:
            self.active -= 1
        offset = int(seen.q("offset") or 0)
        return Reply(body={"items": ITEMS[offset : offset + 2]})


SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}


def specs(tmp_path, url, names, **paging):
    """Specs with a custom schema: no sample, so every request is the sync's (a thin first page's
    sample reads the pages after it, and the sync reuses them: 2026-12-07).
    """
    paths = []
    for name in names:
        document = {
            **source_spec(url, f"/{name}", pagination={**OFFSET, **paging}, schema=SCHEMA),
            "singer": {"name": name, "primaryKeys": ["id"]},
        }
        paths.append(write_spec(tmp_path, f"{name}.json", document))
    return paths


def check_singer_order(messages, names):
    """Each stream's SCHEMA before its records; every stream complete; each STATE a whole object."""
    schema_seen = set()
    for message in messages:
        if message["type"] == "SCHEMA":
            schema_seen.add(message["stream"])
        elif message["type"] in ("RECORD", "ACTIVATE_VERSION"):
            assert message["stream"] in schema_seen, message
        elif message["type"] == "STATE":
            assert isinstance(message["value"], dict)
    for name in names:
        records = [m["record"]["id"] for m in messages if m["type"] == "RECORD" and m["stream"] == name]
        assert sorted(records) == [item["id"] for item in ITEMS]
        kinds = [m["type"] for m in messages if m.get("stream") == name]
        assert kinds[-1] == "ACTIVATE_VERSION"


def parallel_run(serve, tmp_path, names, max_parallel, delay):
    """Streams `names` on one slow API: the API's tracking and the run, whose order is checked."""
    api = Tracking(delay=delay)
    server = serve(api)
    run = run_tap({"specs": specs(tmp_path, server.url, names), "max_parallel": max_parallel})
    check_singer_order(run.messages, names)
    return api, run


def test_streams_run_in_parallel_and_the_output_stays_valid_singer(serve, tmp_path):
    api, _ = parallel_run(serve, tmp_path, ["a", "b", "c", "d", "e"], 4, delay=0.15)
    assert api.most == 4  # at most max_parallel at once, and that many


def test_max_parallel_bounds_requests_in_flight_while_more_streams_are_under_way(serve, tmp_path):
    names = ["a", "b", "c"]
    api, _ = parallel_run(serve, tmp_path, names, 2, delay=0.05)
    assert api.most == 2  # never more requests at once than max_parallel
    starts = {name: [t for path, t in api.starts if path == f"/{name}"] for name in names}
    resumed, last = sorted(starts["c"])[1], min(max(starts["a"]), max(starts["b"]))
    assert resumed < last  # the third stream was reading before either of the first two was done


def test_max_parallel_1_restores_one_stream_after_another(serve, tmp_path):
    api, run = parallel_run(serve, tmp_path, ["a", "b", "c"], 1, delay=0.02)
    assert api.most == 1
    order = [m["stream"] for m in run.messages if m["type"] == "RECORD"]
    assert order == sorted(order)  # a's records, then b's, then c's


def test_pacing_is_per_origin_and_shared_by_parallel_streams(serve, tmp_path):
    slow, fast = Tracking(), Tracking()
    paced, free = serve(slow), serve(fast)
    paths = specs(tmp_path, paced.url, ["p1", "p2"], delayRequestMillis=250)
    paths += specs(tmp_path, free.url, ["f1", "f2"])
    started = time.monotonic()
    run = run_tap({"specs": paths, "max_parallel": 4})
    assert len(run.records()) == 4 * len(ITEMS)
    starts = sorted(t for _, t in slow.starts)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 8 and min(gaps) >= 0.24  # p1 and p2 together never faster than the spec's pace
    other = sorted(t for _, t in fast.starts)
    assert other[-1] - started < 1.0  # the other origin's streams did not wait for the paced ones


def test_a_paced_origin_waiting_for_its_turn_holds_no_request_slot(serve, tmp_path):
    slow, fast = Tracking(), Tracking()
    paced, free = serve(slow), serve(fast)
    paths = specs(tmp_path, paced.url, ["p1", "p2"], delayRequestMillis=400)
    paths += specs(tmp_path, free.url, ["f1"])
    started = time.monotonic()
    run = run_tap({"specs": paths, "max_parallel": 2})  # two slots; p1 and p2 are mostly waiting
    assert len(run.records()) == 3 * len(ITEMS)
    starts = sorted(t for _, t in slow.starts)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.39  # the pace holds
    assert max(t for _, t in fast.starts) - started < 0.9  # f1 was not kept waiting behind them


def test_a_state_taken_at_any_moment_of_a_parallel_run_resumes_without_loss(serve, tmp_path):
    api = Tracking(delay=0.01)
    server = serve(api)
    schedule = {"scheduleStartParamName": "since", "scheduleEndParamName": "before"}
    paths = []
    for name in ("w1", "w2", "w3"):
        document = {
            **source_spec(server.url, f"/{name}", pagination=OFFSET, schedule=schedule),
            "singer": {"name": name, "primaryKeys": ["id"], "windowStep": "P1D"},
        }
        paths.append(write_spec(tmp_path, f"{name}.json", document))
    config = {"specs": paths, "start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-05T00:00:00Z"}
    full = run_tap(config)
    states = [m["value"] for m in full.messages if m["type"] == "STATE"]
    assert len(states) > 6
    for state in states:  # resume from each STATE the run emitted: it starts where that state says
        api.windows.clear()
        run_tap(config, state=state)
        for name in ("w1", "w2", "w3"):
            bookmark = state.get("bookmarks", {}).get(name, {}).get("replication_key_value")
            sinces = sorted({since for path, since in api.windows if path == f"/{name}" and since})
            if bookmark == "2024-01-05T00:00:00Z":
                assert sinces == [], (name, sinces)  # that stream was complete
            else:
                assert sinces[0] == (bookmark or "2024-01-01T00:00:00Z"), (name, bookmark, sinces)


class SlowTarget(Collector):
    """A target that is still writing the first record when the tap could ask for the next page."""

    def __init__(self, api: Tracking) -> None:
        super().__init__()
        self.api = api
        self.asked_while_writing: list[str] = []

    def write_message(self, message) -> None:
        super().write_message(message)
        if self.messages[-1]["type"] == "RECORD" and self.messages[-1]["record"]["id"] == 0:
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline and len(self.api.starts) < 2:
                time.sleep(0.01)
            self.asked_while_writing = [path for path, _ in self.api.starts]


def run_with_slow_target(tmp_path, url, api, max_parallel):
    from tap_restspec.tap import TapRestSpec

    target = SlowTarget(api)
    config = {"specs": specs(tmp_path, url, ["s"]), "max_parallel": max_parallel}
    TapRestSpec(config=config, message_writer=target).sync_all()
    return target


def test_the_next_page_is_fetched_while_the_current_one_is_written(serve, tmp_path):
    api = Tracking()
    server = serve(api)
    target = run_with_slow_target(tmp_path, server.url, api, max_parallel=2)
    assert len(target.asked_while_writing) == 2  # page 2 was asked while page 1 was being written
    records = [m["record"]["id"] for m in target.messages if m["type"] == "RECORD"]
    assert records == [item["id"] for item in ITEMS]  # in order, none twice
    assert len(api.starts) == 4  # three pages and the empty one that ends OFFSET: no extra request


def test_max_parallel_1_asks_for_the_next_page_only_after_writing_this_one(serve, tmp_path):
    api = Tracking()
    server = serve(api)
    target = run_with_slow_target(tmp_path, server.url, api, max_parallel=1)
    assert len(target.asked_while_writing) == 1
    assert [m["record"]["id"] for m in target.messages if m["type"] == "RECORD"] == [i["id"] for i in ITEMS]
