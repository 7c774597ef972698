"""singer-sdk's standard tap tests, for every shipped spec, against the bundled demo API."""

from __future__ import annotations

from singer_sdk.testing import get_tap_test_class

from demo.api import DemoAPI
from tap_restspec.tap import TapRestSpec
from tests.helpers import ROOT

# The class is built at import time, so the demo API starts here (a daemon thread on 127.0.0.1).
API = DemoAPI().start()

TestTapRestSpec = get_tap_test_class(
    TapRestSpec,
    config=API.tap_config(specs=[str(ROOT / "specs")]),
)
