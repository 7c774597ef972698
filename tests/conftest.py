"""Shared fixtures: the demo API, local test servers and in-process tap runs.

* ``demo_api`` (module): the bundled demo API (``demo.api.DemoAPI()``), started and stopped
  around the module; call ``demo_api.clear_requests()`` before counting requests.
* ``session_demo_api`` (session): one demo API for the whole run, started on first use
  (also by ``DeferredTestClass`` at collection) and stopped when pytest ends.
* ``serve(handler)``: starts a ``tests.helpers.Server`` for a ``Seen -> Reply`` function;
  every server it started is stopped after the test, whatever happens.
* ``run_spec(document, **config)``: writes the spec into ``tmp_path`` and runs the tap
  in-process (``run_spec.partial``, ``run_spec.cli``: see ``tests.helpers.SpecRunner``).

A ``DeferredTestClass`` in a test module becomes a test class at collection time, built
with the session's demo API: singer-sdk's ``get_tap_test_class`` needs the streams (and
so a server to sample their schemas) when the class is built, and no server should start
when a module is merely imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.api import DemoAPI
from tests.helpers import DeferredTestClass, Handler, Server, SpecRunner

_SESSION_API = pytest.StashKey[DemoAPI]()


def _session_api(config: pytest.Config) -> DemoAPI:
    """The session's demo API, started on first use and stopped when pytest ends."""
    api = config.stash.get(_SESSION_API, None)
    if api is None:
        api = DemoAPI().start()
        config.stash[_SESSION_API] = api
        config.add_cleanup(api.stop)
    return api


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Build a ``DeferredTestClass`` now, and collect the class it makes."""
    if not isinstance(obj, DeferredTestClass) or not isinstance(collector, pytest.Module):
        return None
    test_class = obj.build(_session_api(collector.config))
    setattr(collector.obj, name, test_class)
    return pytest.Class.from_parent(collector, name=name, obj=test_class)


@pytest.fixture(scope="session")
def session_demo_api(pytestconfig: pytest.Config) -> DemoAPI:
    return _session_api(pytestconfig)


@pytest.fixture(scope="module")
def demo_api() -> Iterator[DemoAPI]:
    with DemoAPI() as api:
        yield api


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], Server]]:
    started: list[Server] = []

    def start(handler: Handler) -> Server:
        server = Server(handler).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


@pytest.fixture
def run_spec(tmp_path: Path) -> SpecRunner:
    return SpecRunner(tmp_path)
