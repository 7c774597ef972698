"""Fixtures for the demo API's tests: one server for read-only tests (``api``), a small
server of its own for tests that change data or settings (``fresh``), an HTTP session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from demo.api import DemoAPI
from tests.demo.common import NOW, SIZES


@pytest.fixture(scope="module")
def api() -> Iterator[DemoAPI]:
    """One server for the read-only tests."""
    with DemoAPI(seed=7, now=NOW) as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[DemoAPI]:
    """A small server of its own, for tests that change data or settings."""
    with DemoAPI(seed=3, now=NOW, **SIZES) as server:
        yield server


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
