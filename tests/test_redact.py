"""redact.py: secrets out of every line (query keys, tokens, headers, user info, known values)."""

from __future__ import annotations

import pytest

from tap_restspec.redact import Redactor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("GET https://h/x?api_key=abc123&n=1", "GET https://h/x?api_key=***&n=1", id="query-key"),
        pytest.param("url ?access_token=zz&token=yy", "url ?access_token=***&token=***", id="tokens"),
        pytest.param("{'Authorization': 'Bearer abc'}", "{'Authorization': ***}", id="header-dict"),
        pytest.param("Authorization: Basic dXNlcjpwYXNz", "Authorization: ***", id="header-line"),
        pytest.param("https://user:pw@host/x", "https://***@host/x", id="userinfo"),
        pytest.param("my secret is s3cr3t-value!", "my secret is ***!", id="known-secret"),
        pytest.param(
            "headerParams.Authorization: placeholder {api_key} has no value",
            "headerParams.Authorization: placeholder {api_key} has no value",
            id="not-a-secret",
        ),
    ],
)
def test_redaction(text, expected):
    redactor = Redactor()
    redactor.add("s3cr3t-value", "", "abc")
    assert redactor.redact(text) == expected
