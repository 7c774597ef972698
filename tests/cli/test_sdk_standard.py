"""singer-sdk's standard tap tests, for every shipped spec, against the bundled demo API.

``get_tap_test_class`` discovers the streams when it builds the class (their schemas are
sampled from the API), so the class is deferred: ``tests/conftest.py`` builds it at
collection time with the session's demo API, which it starts then and stops at the end;
importing this module starts nothing.
"""

from __future__ import annotations

from singer_sdk.testing import get_tap_test_class

from tap_restspec.tap import TapRestSpec
from tests.helpers import ROOT, DeferredTestClass

TestTapRestSpec = DeferredTestClass(
    lambda api: get_tap_test_class(TapRestSpec, config=api.tap_config(specs=[str(ROOT / "specs")]))
)
