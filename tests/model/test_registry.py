"""model/registry.py: classes by the name a spec gives them, in the order listed, found in any case;
a miss lists the known names. And the three registries of the tap, as users see their names.
"""

from __future__ import annotations

import pytest

from tap_restspec.auth.oauth2 import OAuth2
from tap_restspec.auth.registry import AUTH_TYPES
from tap_restspec.model.registry import Registry
from tap_restspec.paging.placement import PLACEMENTS, BodyParam
from tap_restspec.paging.types import PAGING_TYPES, Offset


class Alpha:
    type = "ALPHA"


class Beta:
    type = "Beta"


def test_names_come_in_the_order_listed_and_are_found_in_any_case():
    registry = Registry("type", (Alpha, Beta))
    assert list(registry) == ["ALPHA", "Beta"]
    assert (registry.find("alpha"), registry["BETA"], registry.find("gamma")) == (Alpha, Beta, None)


def test_a_miss_lists_the_known_names():
    registry = Registry("type", (Alpha, Beta))
    assert registry.miss("gamma") == "'gamma' is not one of ALPHA, Beta"
    with pytest.raises(KeyError, match="'gamma' is not one of ALPHA, Beta"):
        registry["gamma"]


def test_two_classes_of_one_name_are_refused():
    class Other:
        type = "alpha"

    with pytest.raises(ValueError, match="two classes share a name: ALPHA, alpha"):
        Registry("type", (Alpha, Other))


def test_the_tap_lists_its_pagination_types_placements_and_auth_types():
    assert list(PAGING_TYPES) == ["OFFSET", "POINTER", "CONTINUATION_TOKEN", "PAGE", "NONE"]
    assert list(PLACEMENTS) == ["QUERYPARAM", "HEADERPARAM", "BODYPARAM"]
    assert list(AUTH_TYPES) == [
        "BasicAuthentication",
        "KeyBased",
        "OAuth2RefreshCode",
        "OAuth2ClientCredentials",
        "apiKey",
    ]
    assert (PAGING_TYPES.find("Offset"), PLACEMENTS.find("bodyParam")) == (Offset, BodyParam)
    assert AUTH_TYPES.find("OAuth 2 Refresh-Code") is OAuth2  # Adobe spells it several ways
