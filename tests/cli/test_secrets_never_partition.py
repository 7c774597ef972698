"""Secrets never partition (contract, section 4, 2026-12-07).

A value that is a secret (the secret settings, `authKeyN` values from `params`, anything
an authSpec entry or `spec.properties` declares `format: password`) given as a JSON array
is a start-up error naming the setting, never its value: as a partition it went into
every record, into STATE, and (as a Python repr of the list) into a header.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

import pytest

from tests.helpers import Reply, source_spec

KEYS = ["k2-first/secret+key=", "k2-second secret&key"]  # characters that encode differently
FAST = {"request_timeout": 2, "max_retries": 0}


def forms(secret: str) -> set[str]:
    """`secret` plain, percent-encoded and base64-encoded, as it could leak."""
    raw = secret.encode()
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        repr(KEYS)[1:-1],
    }


def key_based(url: str, **properties) -> dict:
    """A KeyBased connection spec: authKey1 in `X-Key`, authKey2 in `X-Key-2`."""
    document = source_spec(url, schema={"type": "object", "properties": {"id": {"type": "integer"}}})
    document["authSpec"] = [
        {
            "name": "Keys",
            "type": "KeyBased",
            "spec": {
                "type": "object",
                "properties": {
                    "authKey1": {"type": "string", "restAttributes": {"headerParamName": "X-Key"}},
                    "authKey2": {"type": "string", "restAttributes": {"headerParamName": "X-Key-2"}},
                    **properties,
                },
                "required": ["authKey1", "authKey2"],
            },
        }
    ]
    return document


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " | " not in line]


def assert_never_shown(result, secrets: list[str]) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form not in result.stdout and form not in result.stderr, form


@pytest.fixture
def api(serve):
    return serve(lambda seen: Reply(body={"items": [{"id": 1}]}))


def test_authkey2_given_as_a_list_is_one_line_naming_the_setting_never_a_key(run_spec, api):
    result = run_spec.cli(key_based(api.url), api_key="the-first-api-key", params={"authKey2": KEYS}, **FAST)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert problems(result.stderr) == [
        f"{run_spec.directory}/items.json: params.authKey2: a secret cannot be a list "
        "(secrets never partition a stream; the value is not shown)"
    ]
    assert result.stdout == ""
    assert_never_shown(result, KEYS)
    assert api.seen == []


def test_authkey2_as_one_value_goes_in_its_header_and_nowhere_else(run_spec, api):
    result = run_spec.cli(
        key_based(api.url), api_key="the-first-api-key", params={"authKey2": KEYS[0]}, **FAST
    )
    assert result.code == 0, result.stderr[-2000:]
    assert [s.headers.get("X-Key-2") for s in api.seen] == [KEYS[0]]
    assert result.records() == [{"id": 1}]
    assert_never_shown(result, KEYS[:1])


@pytest.mark.parametrize(
    ("where", "name"),
    [
        pytest.param("authSpec", "accountToken", id="authSpec-format-password"),
        pytest.param("spec", "accountToken", id="spec-properties-format-password"),
        pytest.param("authSpec", "authKey3", id="authKey3-declared"),
    ],
)
def test_any_declared_secret_given_as_a_list_is_one_line(run_spec, api, where, name):
    document = key_based(api.url)
    document["sourceSpec"]["attributes"]["headerParams"] = {"X-Account": "${" + name + "}"}
    declared = {"type": "string", "format": "Password", "restAttributes": {"headerParamName": "X-Three"}}
    if where == "authSpec":
        document["authSpec"][0]["spec"]["properties"][name] = declared
    else:
        document["sourceSpec"]["spec"] = {"properties": {name: declared}}
    params = {"authKey2": "k2-only-one", name: KEYS}
    result = run_spec.cli(document, api_key="the-first-api-key", params=params, **FAST)
    assert result.code == 1 and "Traceback" not in result.stderr
    (line,) = problems(result.stderr)
    assert line.startswith(f"{run_spec.directory}/items.json: params.{name}: a secret cannot be a list")
    assert_never_shown(result, KEYS)
    assert api.seen == []


def test_a_secret_param_of_the_wrong_type_is_named_without_its_value(run_spec, api):
    document = key_based(api.url)
    document["sourceSpec"]["attributes"]["headerParams"] = {"X-Pin": "${pin}"}
    document["sourceSpec"]["spec"] = {"properties": {"pin": {"type": "string", "format": "password"}}}
    result = run_spec.cli(
        document, api_key="the-first-api-key", params={"authKey2": "k2-only-one", "pin": 987654321}, **FAST
    )
    assert result.code == 1
    assert problems(result.stderr) == [
        f"{run_spec.directory}/items.json: params.pin: the value (not shown: it is a secret) is not of "
        "type string (spec.properties.pin)"
    ]
    assert "987654321" not in result.stderr


def test_a_list_that_is_no_secret_still_partitions(run_spec, serve):
    server = serve(lambda seen: Reply(body={"items": [{"id": seen.path}]}))
    document = key_based(server.url)
    document["sourceSpec"]["attributes"]["urlParams"]["path"] = "/lists/${listId}"
    document["sourceSpec"]["attributes"]["schema"] = {"type": "object", "properties": {"id": {}}}
    run = run_spec(
        document, api_key="the-first-api-key", params={"authKey2": "k2-only-one", "listId": ["a", "b"]}
    )
    assert sorted(r["id"] for r in run.records()) == ["/lists/a", "/lists/b"]
    assert {s.headers["X-Key-2"] for s in server.seen} == {"k2-only-one"}
