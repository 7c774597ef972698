"""Spec keys (contract, section 4, 2026-12-07): a misspelt key is never silently ignored.

A key near one the tap reads is a start-up error naming the file, the key's property path
and the key it resembles; a key of Adobe's own documents that the tap does not need is
accepted silently; any other unknown key is named in one WARNING per file. JSON schema
parts are JSON schema's business. Every shipped spec, bench spec and Adobe document loads
without a word.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.cli.test_adobe_documents import BASIC, DOCUMENTS, LIST_ID, Mailchimp, adobe, adobe_document
from tests.helpers import ROOT, Reply, Server, run_cli, source_spec, write_spec

ADOBE = ROOT / "tests" / "fixtures" / "adobe"
SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
FAST = {"request_timeout": 2, "max_retries": 0}


def members(seen):
    """253 members, ten a page unless the query says otherwise (the issue's trial)."""
    limit, offset = int(seen.q("count") or 10), int(seen.q("offset") or 0)
    return Reply(body={"items": [{"id": i} for i in range(offset, min(offset + limit, 253))]})


def problems(stderr: str) -> list[str]:
    """The stderr lines that are not log records."""
    return [line for line in stderr.splitlines() if " | " not in line]


def warnings(stderr: str) -> list[str]:
    return [line.split(" | ", 3)[-1] for line in stderr.splitlines() if "| WARNING " in line]


def key_lines(stderr: str) -> list[str]:
    """Every line that speaks of a key (an error or a warning)."""
    return [line for line in stderr.splitlines() if "unknown key" in line]


OFFSET = {"type": "OFFSET", "limitName": "count", "limitValue": "100", "offSetName": "offset"}


def with_attributes(url: str, **changes) -> dict:
    document = source_spec(url, schema=SCHEMA, pagination=dict(OFFSET))
    document["sourceSpec"]["attributes"].update(changes)
    return document


@pytest.mark.parametrize(
    ("change", "line"),
    [
        pytest.param(
            lambda d: d["sourceSpec"]["attributes"].update(
                paginationParam=d["sourceSpec"]["attributes"].pop("paginationParams")
            ),
            "attributes.paginationParam: unknown key; did you mean 'paginationParams'?",
            id="paginationParam",
        ),
        pytest.param(
            lambda d: d.update(singer={"primaryKey": ["id"]}),
            "singer.primaryKey: unknown key; did you mean 'primaryKeys'?",
            id="singer-primaryKey",
        ),
        pytest.param(
            lambda d: d["sourceSpec"]["attributes"]["contentPath"].update(skipAtributes=["a"]),
            "contentPath.skipAtributes: unknown key; did you mean 'skipAttributes'?",
            id="skipAtributes",
        ),
        pytest.param(
            lambda d: d["sourceSpec"]["attributes"].update(
                ContentPath=d["sourceSpec"]["attributes"].pop("contentPath")
            ),
            "attributes.ContentPath: unknown key; did you mean 'contentPath'?",
            id="ContentPath-case",
        ),
        pytest.param(
            lambda d: d.update(singer={"replication_key": "id"}),
            "singer.replication_key: unknown key; did you mean 'replicationKey'?",
            id="snake-case",
        ),
        pytest.param(
            lambda d: d["sourceSpec"]["attributes"]["paginationParams"].update(limtValue="10"),
            "paginationParams.limtValue: unknown key; did you mean 'limitValue'?",
            id="limtValue",
        ),
        pytest.param(
            lambda d: d["sourceSpec"]["attributes"]["urlParams"].update(methdo="GET"),
            "urlParams.methdo: unknown key; did you mean 'method'?",
            id="swapped-letters",
        ),
        pytest.param(
            lambda d: d.update(sourceSpec={**d["sourceSpec"], "schemas": SCHEMA}),
            "sourceSpec.schemas: unknown key; did you mean 'schema'?",
            id="sourceSpec-schemas",
        ),
        pytest.param(
            lambda d: d.update(singr={"name": "x"}),
            "singr: unknown key; did you mean 'singer'?",
            id="top-level",
        ),
        pytest.param(
            lambda d: d.update(**d.pop("sourceSpec"), Spec={"properties": {}}),
            "Spec: unknown key; did you mean 'spec'?",
            id="bare-source-spec",
        ),
        pytest.param(
            lambda d: d["sourceSpec"]["attributes"].update(
                scheduleParams={"scheduleStartParamName": "a", "scheduleEndParamNam": "b"}
            ),
            "scheduleParams.scheduleEndParamNam: unknown key; did you mean 'scheduleEndParamName'?",
            id="scheduleParams",
        ),
        pytest.param(
            lambda d: d.update(singer={"parent": {"streams": "x", "values": {"a": "$.id"}}}),
            "singer.parent.streams: unknown key; did you mean 'stream'?",
            id="singer-parent",
        ),
        pytest.param(
            lambda d: d.update(authSpec=[{"name": "k", "typ": "KeyBased", "spec": {}}]),
            "authSpec[0].typ: unknown key; did you mean 'type'?",
            id="authSpec-entry",
        ),
        pytest.param(
            lambda d: d.update(
                authSpec=[
                    {
                        "name": "k",
                        "type": "KeyBased",
                        "spec": {
                            "properties": {
                                "authKey1": {"type": "string", "restAttributes": {"headerParamNme": "X-Key"}}
                            }
                        },
                    }
                ]
            ),
            "authSpec[0].spec.properties.authKey1.restAttributes.headerParamNme: unknown key; "
            "did you mean 'headerParamName'?",
            id="restAttributes",
        ),
        pytest.param(
            lambda d: d.update(
                authSpec=[
                    {
                        "name": "o",
                        "type": "OAuth2RefreshCode",
                        "spec": {
                            "properties": {
                                "requestParameterOverride": {
                                    "type": "object",
                                    "properties": {"accesTokenField": {"type": "string"}},
                                }
                            }
                        },
                    }
                ]
            ),
            "authSpec[0].spec.properties.requestParameterOverride.properties.accesTokenField: "
            "unknown key; did you mean 'accessTokenField'?",
            id="requestParameterOverride",
        ),
    ],
)
def test_a_near_miss_is_a_start_up_error_naming_file_key_and_the_key_it_resembles(tmp_path, change, line):
    with Server(members) as server:
        document = with_attributes(server.url)
        change(document)
        spec = write_spec(tmp_path, "x.json", document)
        result = run_cli(tmp_path, {"specs": [spec], "api_key": "k" * 8, **FAST})
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    if line.startswith("authSpec"):  # the entry is then checked as written: that is said too
        assert f"{spec}: {line}" in problems(result.stderr), result.stderr[-2000:]
    else:  # and not also that the key it stands for is missing
        assert problems(result.stderr) == [f"{spec}: {line}"], result.stderr[-2000:]
    assert result.stdout == ""
    assert server.seen == []  # the issue's `paginationParam` read 10 of 253 members and exited 0


def test_unknown_keys_get_one_warning_per_file_naming_every_one_and_the_run_goes_on(tmp_path):
    with Server(members) as server:
        document = with_attributes(server.url, comment="mine")
        document["sourceSpec"]["attributes"]["urlParams"]["port"] = 8443
        document["singer"] = {"owner": "data team"}  # recordOrder was the example until 2026-12-07
        document["notes"] = "x"
        first = write_spec(tmp_path, "a.json", document)
        second = write_spec(tmp_path, "b.json", {**document, "singer": {"name": "b"}})
        result = run_cli(tmp_path, {"specs": [first, second], **FAST})
    assert result.code == 0, result.stderr[-2000:]
    assert len(result.records()) == 2 * 253
    assert warnings(result.stderr) == [
        f"{first}: unknown keys, ignored: notes, attributes.comment, urlParams.port, singer.owner",
        f"{second}: unknown keys, ignored: notes, attributes.comment, urlParams.port",
    ]


def test_adobe_keys_the_tap_does_not_need_are_accepted_silently(tmp_path):
    with Server(members) as server:
        document = {
            "id": "b7bf2577-4520-42c9-bae9-cad01560f7bc",
            "name": "Members",
            "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
            "version": "1.0",
            "type": "Batch",
            "createdAt": 1667378521000,
            "imsOrgId": "{ORG_ID}",
            "attributes": {"category": "cloudStorage", "isSource": "True"},
            "exploreSpec": {"name": "Resource", "type": "Resource"},
            **with_attributes(server.url),
        }
        document["sourceSpec"]["attributes"]["uiAttributes"] = {"isBeta": True, "anything": 1}
        spec = write_spec(tmp_path, "x.json", document)
        result = run_cli(tmp_path, {"specs": [spec], **FAST}, "--discover")
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [] and key_lines(result.stderr) == []


def test_json_schema_parts_are_not_checked(tmp_path):
    """`sourceSpec.spec`, `schema` and an authSpec entry's `spec` hold JSON schema's keys, and
    names that happen to be near the contract's (`paginationParam` as a record property)."""
    with Server(members) as server:
        document = with_attributes(
            server.url,
            schema={
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "additionalProperties": True,
                "properties": {"id": {"type": "integer"}, "paginationParam": {"type": "string"}},
            },
        )
        document["sourceSpec"]["spec"] = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "definitions": {},
            "properties": {"contentPth": {"type": "string", "default": "x", "examples": ["y"]}},
        }
        document["authSpec"] = [
            {
                "name": "Basic",
                "type": "BasicAuthentication",
                "spec": {
                    "type": "object",
                    "links": [],
                    "properties": {"username": {"type": "string", "uiAttributes": {"hidden": True}}},
                    "required": ["username", "password"],
                },
            }
        ]
        spec = write_spec(tmp_path, "x.json", document)
        result = run_cli(tmp_path, {"specs": [spec], "username": "u", "password": "p" * 8, **FAST})
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [] and key_lines(result.stderr) == []


# --- every document this project ships or keeps loads without a word --------------------------


def any_items(seen):
    return Reply(body={"items": [{"id": 1, "name": "a"}]})


def test_every_shipped_spec_loads_with_no_warning_and_no_error(tmp_path, demo_api):
    config = demo_api.tap_config(specs=[str(ROOT / "specs")])
    result = run_cli(tmp_path, config, "--discover")
    assert result.code == 0, result.stderr[-2000:]
    assert len(json.loads(result.stdout)["streams"]) == len(list((ROOT / "specs").glob("*.json")))
    assert warnings(result.stderr) == [] and " ERROR " not in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "bench" / "specs").glob("*.json")))
def test_every_bench_spec_loads_with_no_warning_and_no_error(tmp_path, name):
    with Server(any_items) as server:
        result = run_cli(
            tmp_path, {"specs": [str(ROOT / "bench" / "specs" / name)], "base_url": server.url}, "--discover"
        )
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [] and " ERROR " not in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize(("name", "given", "has_auth"), DOCUMENTS)
def test_every_adobe_spec_document_loads_with_no_warning_and_no_error(tmp_path, name, given, has_auth):
    with Server(Mailchimp(auth=has_auth)) as server:
        if given == "host":
            config = {"params": {"listId": LIST_ID, "host": server.url}}
        else:
            config = {"params": {"listId": LIST_ID, "domain": "us21"}, "base_url": server.url}
        result = run_cli(tmp_path, {"specs": [adobe(name)], **config, **BASIC}, "--discover")
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [] and " ERROR " not in result.stderr, result.stderr[-2000:]


def test_the_item_of_adobes_get_response_saved_alone_loads_with_no_warning_and_no_error(tmp_path):
    (item,) = adobe_document("get-response")["items"]
    spec = write_spec(tmp_path, "item.json", item)
    with Server(Mailchimp()) as server:
        config = {"specs": [spec], "params": {"listId": LIST_ID, "host": server.url}, **BASIC}
        result = run_cli(tmp_path, config, "--discover")
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [] and " ERROR " not in result.stderr, result.stderr[-2000:]


def fixture(name: str) -> dict:
    return json.loads((ADOBE / name).read_text())


def placed(name: str) -> dict:
    """Adobe's printed fragment `name`, put where it belongs in Adobe's MailChimp create request."""
    document = adobe_document("create-request")
    attributes = document["sourceSpec"]["attributes"]
    fragment = fixture(name)
    if name.startswith("authspec-"):
        document["authSpec"] = [fragment]
    elif name == "mailchimp-members-user-input-example.json":
        attributes["urlParams"] = fragment["urlParams"]
        document["sourceSpec"]["spec"] = fragment["spec"]
    elif name == "zendesk-urlparams-adf.json":  # its {SCHEDULE_QUERY} needs Adobe's ADVANCE example
        attributes.update(fragment, **fixture("zendesk-schedule-advance.json"))
    elif "authSpec" in fragment or "exploreSpec" in fragment:
        document.update(fragment)
    else:
        attributes.update(fragment)
    return document


FRAGMENTS = [
    "authspec-basic-template.json",
    "authspec-oauth2-refresh-code-template.json",
    "explorespec.json",
    "mailchimp-members-authspec-example.json",
    "mailchimp-members-contentpath-example.json",
    "mailchimp-members-user-input-example.json",
    "pagination-none.json",
    "pagination-page-current.json",
    "pagination-page-older.json",
    "zendesk-custom-schema.json",
    "zendesk-pagination-continuation-token.json",
    "zendesk-schedule-advance.json",
    "zendesk-urlparams-adf.json",
]


@pytest.mark.parametrize("name", FRAGMENTS)
def test_every_adobe_fragment_in_its_place_loads_with_no_warning_and_no_error(tmp_path, name):
    """Adobe's printed fragments (pagination, schedule, contentPath, authSpec entries, ...),
    each put where it belongs in a whole spec: no key of theirs is unknown."""
    document = copy.deepcopy(placed(name))
    spec = write_spec(tmp_path, "x.json", document)
    with Server(lambda seen: Reply(body={"members": [{"id": "a"}]})) as server:
        params = {"listId": LIST_ID, "domain": "us21", "host": server.url, "email": "e@x.org"}
        config = {"specs": [spec], "params": params, "base_url": server.url, "access_token": "t" * 8}
        result = run_cli(tmp_path, {**config, **BASIC, **FAST}, "--discover")
    assert result.code == 0, result.stderr[-2000:]
    assert key_lines(result.stderr) == [] and warnings(result.stderr) == [], result.stderr[-2000:]


@pytest.mark.parametrize(
    "name",
    [
        "generic-rest-template.json",
        "generic-source-beta-template.json",
        "sourcespec-format-template-current.json",
        "sourcespec-format-template-older.json",
    ],
)
def test_adobes_format_descriptions_are_refused_for_what_they_are_not_for_their_keys(tmp_path, name):
    """Templates that describe the format (a JSON schema of a sourceSpec) have no urlParams: that
    is what they are told, not that Adobe's keys are unknown."""
    result = run_cli(tmp_path, {"specs": [str(ADOBE / name)], **FAST})
    assert result.code == 1 and "Traceback" not in result.stderr
    assert key_lines(result.stderr) == [] and warnings(result.stderr) == []
    assert any("urlParams" in line for line in problems(result.stderr)), result.stderr[-2000:]


def test_a_spec_file_given_twice_warns_once(tmp_path):
    with Server(members) as server:
        spec = write_spec(tmp_path, "x.json", with_attributes(server.url, comment="mine"))
        result = run_cli(tmp_path, {"specs": [spec, str(Path(spec))], **FAST})
    assert result.code == 0, result.stderr[-2000:]
    assert warnings(result.stderr) == [f"{spec}: unknown keys, ignored: attributes.comment"]
