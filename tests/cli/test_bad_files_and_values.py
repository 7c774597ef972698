"""Bad files, settings, values and spec documents, through the real command line: one line naming
the file or setting and the property, exit 1, no traceback, no request; or, where the input is
odd but usable, handled.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TAP_BIN, Cli, Reply, run_cli, source_spec

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
FAST = {"request_timeout": 2, "max_retries": 0, "max_retry_wait": 2}
WINDOW = {"scheduleStartParamName": "since", "scheduleEndParamName": "until"}


def problems(result: Cli) -> list[str]:
    """The stderr lines that are not log records."""
    return [line for line in result.stderr.splitlines() if " | " not in line]


def rejected(result: Cli, *expected: str) -> None:
    """Exit 1, no traceback, nothing on stdout but state, and exactly the `expected` lines."""
    assert result.code == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert all(m["type"] == "STATE" for m in result.messages()), result.stdout[:500]
    assert problems(result) == list(expected), result.stderr[-2000:]


@pytest.fixture
def api(serve):
    """A server that would answer any request with one record (none should reach it)."""
    return serve(lambda seen: Reply(body={"items": [{"id": 1}]}))


def write(tmp_path: Path, document: Any, name: str = "x.json") -> str:
    (tmp_path / name).write_text(document if isinstance(document, str) else json.dumps(document))
    return name


# --- files given on the command line ----------------------------------------------------------


def cli(tmp_path: Path, *args: str) -> Cli:
    done = subprocess.run(
        [TAP_BIN, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return Cli(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            "{bad",
            "state: state.json: not valid JSON: Expecting property name enclosed in double quotes",
            id="corrupt",
        ),
        pytest.param(
            "[1, 2]",
            'state: state.json: not a Singer state object (expected {"bookmarks": {...}})',
            id="array",
        ),
        pytest.param(
            '"bookmarks"',
            'state: state.json: not a Singer state object (expected {"bookmarks": {...}})',
            id="string",
        ),
        pytest.param(
            '{"bookmarks": 5}',
            'state: not a Singer state object (expected {"bookmarks": {...}})',
            id="bookmarks-not-object",
        ),
        pytest.param(
            '{"bookmarks": {"x": [1]}}',
            'state: not a Singer state object (expected {"bookmarks": {...}})',
            id="bookmark-not-object",
        ),
        pytest.param("\udcff", "state: state.json: cannot read it", id="not-utf8"),
    ],
)
def test_a_bad_state_file_is_one_line(tmp_path, api, text, line):
    write(tmp_path, source_spec(api.url, schema=SCHEMA))
    write(tmp_path, {"specs": ["x.json"]}, "config.json")
    if text == "\udcff":
        (tmp_path / "state.json").write_bytes(b"\xff\xfe{")
    else:
        (tmp_path / "state.json").write_text(text)
    result = cli(tmp_path, "--config", "config.json", "--state", "state.json")
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    (got,) = problems(result)
    assert got.startswith(line), got
    assert api.seen == []


@pytest.mark.parametrize(
    ("setup", "args", "line"),
    [
        pytest.param({}, ("--config", "nope.json"), "config: nope.json: no such file", id="missing"),
        pytest.param(
            {"c.json": "{not json"},
            ("--config", "c.json"),
            "config: c.json: not valid JSON at line 1 column 2",
            id="not-json",
        ),
        pytest.param(
            {"c.json": "[1]"},
            ("--config", "c.json"),
            "config: c.json: must be a JSON object of settings",
            id="not-an-object",
        ),
        pytest.param(
            {"c.json": "{}"},
            ("--config", "c.json"),
            "config: specs: required setting is missing (spec files, directories or globs)",
            id="no-specs",
        ),
        pytest.param(
            {"c.json": "{}"},
            ("--config", "c.json", "--discover"),
            "config: specs: required setting is missing (spec files, directories or globs)",
            id="no-specs-discover",
        ),
        pytest.param(
            {"c.json": '{"specs": "x.json"}'},
            ("--config", "c.json"),
            "config: specs: must be a list of files, directories or globs, not a string (write ['x.json'])",
            id="specs-a-string",
        ),
        pytest.param(
            {"c.json": '{"specs": "x.json"}'},
            ("--config", "c.json", "--discover"),
            "config: specs: must be a list of files, directories or globs, not a string (write ['x.json'])",
            id="specs-a-string-discover",
        ),
        pytest.param(
            {"c.json": '{"specs": ["x.json"]}', "catalog.json": "{"},
            ("--config", "c.json", "--catalog", "catalog.json"),
            "catalog: catalog.json: not a readable JSON file",
            id="bad-catalog",
        ),
    ],
)
def test_a_bad_config_or_catalog_file_is_one_line(tmp_path, setup, args, line):
    for name, text in setup.items():
        (tmp_path / name).write_text(text)
    result = cli(tmp_path, *args)
    assert result.code == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert problems(result) == [line]


@pytest.mark.parametrize(
    ("where", "text", "line"),
    [
        pytest.param("spec", '{"sourceSpec": {"attributes": {"bodyParams": {"a": NaN}}}}',
                     "x.json: not valid JSON: NaN is not a JSON value", id="spec-nan"),
        pytest.param("spec", '{"sourceSpec": {"attributes": {"bodyParams": {"a": 1e400}}}}',
                     "x.json: not valid JSON: the number 1e400 is too large", id="spec-overflowing-number"),
        pytest.param("config", '{"specs": ["x.json"], "params": {"limit": -Infinity}}',
                     "config: config.json: not valid JSON (-Infinity is not a JSON value)",
                     id="config-infinity"),
        pytest.param("state", '{"bookmarks": {"x": {"replication_key_value": NaN}}}',
                     "state: state.json: not valid JSON: NaN is not a JSON value", id="state-nan"),
    ],
)  # fmt: skip
def test_nan_and_infinity_are_not_json(tmp_path, api, where, text, line):
    """Python's parser takes NaN, Infinity and 1e400; a body holding one failed with a traceback."""
    write(tmp_path, text if where == "spec" else source_spec(api.url, schema=SCHEMA))
    write(tmp_path, text if where == "config" else {"specs": ["x.json"], **FAST}, "config.json")
    if where == "state":
        write(tmp_path, text, "state.json")
    result = cli(
        tmp_path, "--config", "config.json", *(("--state", "state.json") if where == "state" else ())
    )
    rejected(result, line)
    assert api.seen == []


# --- settings out of range --------------------------------------------------------------------

# Each run holds several bad settings: every problem is reported at once, one line each.
BAD_SETTINGS = [
    pytest.param(
        {
            "request_timeout": 0,
            "lookback_window": -5,
            "max_retries": "many",
            "base_url": "not a url",
            "start_date": "2024-02-30",
            "emit_activate_version_messages": "no",
        },
        [
            "config: request_timeout: 0 must be above 0",
            "config: lookback_window: -5 must be at least 0",
            "config: max_retries: 'many' is not a number",
            "config: base_url: 'not a url' is not an http(s) URL such as http://localhost:8765",
            "config: start_date: '2024-02-30' is not a date-time (e.g. 2024-01-01T00:00:00Z)",
            "config: emit_activate_version_messages: 'no' is not of type 'boolean', 'null'",
        ],
        id="zero-timeout-negative-lookback-and-more",
    ),
    pytest.param(
        {"request_timeout": -1, "lookback_window": 10**12, "base_url": "http://[::1"},
        [
            "config: request_timeout: -1 must be above 0",
            "config: lookback_window: 1000000000000 is too large",
            "config: base_url: 'http://[::1' is not an http(s) URL such as http://localhost:8765",
        ],
        id="negative-timeout-huge-lookback-broken-ipv6",
    ),
    pytest.param(
        {"request_timeout": "soon", "lookback_window": 2.5, "base_url": "http://local host"},
        [
            "config: request_timeout: 'soon' is not a number",
            "config: lookback_window: 2.5 is not of type 'integer', 'null'",
            "config: base_url: 'http://local host' is not an http(s) URL such as http://localhost:8765 "
            "(it holds whitespace, a control character or a backslash)",
        ],
        id="text-timeout-fractional-lookback-space-in-url",
    ),
    pytest.param(
        {"base_url": "http://localhost:99999"},
        [
            "config: base_url: 'http://localhost:99999' is not an http(s) URL such as http://localhost:8765 "
            "(it is not a valid URL)"
        ],
        id="port-out-of-range",
    ),
]


@pytest.mark.parametrize(("settings", "lines"), BAD_SETTINGS)
def test_settings_out_of_range_are_start_up_errors(run_spec, api, settings, lines):
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA, schedule=WINDOW), **{**FAST, **settings})
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert sorted(problems(result)) == sorted(lines)
    assert api.seen == []


@pytest.mark.parametrize(
    ("variable", "value", "line"),
    [
        pytest.param(
            "TAP_RESTSPEC_MAX_RETRIES",
            "abc",
            "config: max_retries: the environment variable TAP_RESTSPEC_MAX_RETRIES ('abc') "
            "is not an integer",
            id="integer",
        ),
        pytest.param(
            "TAP_RESTSPEC_PARAMS",
            "{bad",
            "config: params: the environment variable TAP_RESTSPEC_PARAMS ('{bad') is not valid JSON",
            id="object",
        ),
    ],
)
def test_a_setting_from_the_environment_that_cannot_be_parsed_is_one_line(
    run_spec, api, variable, value, line
):
    result = run_spec.cli(source_spec(api.url, schema=SCHEMA), env={variable: value}, **FAST)
    rejected(result, line)
    assert api.seen == []


# --- values that would break the request --------------------------------------------------------


def test_a_host_param_that_breaks_the_url_is_one_line(run_spec, api):
    doc = source_spec("https://${dc}.api.example.com", schema=SCHEMA)
    result = run_spec.cli(doc, params={"dc": "us1/x?y"}, **FAST)
    rejected(
        result,
        f"{run_spec.directory}/items.json: urlParams.host: 'https://${{dc}}.api.example.com' "
        "with dc='us1/x?y' "
        "does not make a usable URL: it has no valid http(s) host",
    )


def test_an_expression_in_the_host_is_one_line(run_spec, api):
    doc = source_spec("https://@{concat('us','1')}.api.example.com", schema=SCHEMA)
    result = run_spec.cli(doc, **FAST)
    rejected(
        result,
        f"{run_spec.directory}/items.json: urlParams.host: "
        "@{...} expressions are not supported in the host",
    )


@pytest.mark.parametrize("values", [["us1", "us 2"], ["us1", "us2"]], ids=["a-bad-value", "good-values"])
def test_a_partition_of_the_host_is_one_line_naming_the_spec_and_the_param(run_spec, api, values):
    """A stream reads from one origin: a list in the host's name was, with good values too, a bare
    `URL refused: it has no valid http(s) host` naming neither the spec nor the setting."""
    doc = source_spec("https://${dc}.api.example.com", schema=SCHEMA)
    result = run_spec.cli(doc, params={"dc": values}, base_url=None, **FAST)
    rejected(
        result,
        f"{run_spec.directory}/items.json: params.dc: a list cannot partition urlParams.host "
        "('https://${dc}.api.example.com'): a stream reads from one host; give one value, "
        "or write one spec per host",
    )
    assert api.seen == []


def test_a_list_for_the_host_param_is_one_line_naming_the_spec_and_the_param(run_spec, api):
    doc = source_spec(api.url, schema=SCHEMA)
    del doc["sourceSpec"]["attributes"]["urlParams"]["host"]
    result = run_spec.cli(doc, params={"host": [api.url, api.url + "/"]}, base_url=None, **FAST)
    rejected(
        result,
        f"{run_spec.directory}/items.json: params.host: a list cannot partition the host: "
        "a stream reads from one host; give one value, or write one spec per host",
    )
    assert api.seen == []


def test_a_list_in_the_path_of_the_host_partitions_the_stream(run_spec, serve):
    server = serve(lambda seen: Reply(body={"items": [{"id": seen.path.split("/")[1]}]}))
    doc = source_spec(server.url + "/${version}", schema={"type": "object", "properties": {"id": {}}})
    run = run_spec(doc, params={"version": ["v1", "v2"]}, base_url=None, **FAST)
    assert sorted(r["id"] for r in run.records()) == ["v1", "v2"]


def test_more_partitions_than_allowed_or_a_null_element_name_the_spec_and_the_params(run_spec, api):
    doc = source_spec(api.url + "/${a}/${b}", schema=SCHEMA)
    many = [str(i) for i in range(400)]
    result = run_spec.cli(doc, params={"a": many, "b": many}, **FAST)
    rejected(
        result,
        f"{run_spec.directory}/items.json: params.a x params.b: make more than 100000 partitions "
        "of stream items",
    )
    result = run_spec.cli(doc, params={"a": ["x", None], "b": "y"}, **FAST)
    rejected(
        result,
        f"{run_spec.directory}/items.json: params.a: partition values must be strings or numbers, not null",
    )
    assert api.seen == []


def test_headers_that_cannot_be_sent_are_one_line_each(run_spec, api):
    written = {  # parsed first: the literal text of every header
        "X-Literal": "日本",
        "X-Bad\r\nInjected": "v",
        "X Space": "v",
        "\ufeffX-Bom": "v",
    }
    filled = {"X-Param": "${name}", "X-Crlf": "${crlf}"}  # then checked with the user's values
    docs = [source_spec(api.url, schema=SCHEMA, headerParams=h) for h in (written, filled)]
    result = run_spec.cli(docs, params={"name": "€uro", "crlf": "a\r\nX-Injected: 1"}, **FAST)
    a, b = (f"{run_spec.directory}/{i}-items.json" for i in (0, 1))
    cannot = "value has characters HTTP headers cannot carry (only Latin-1)"
    rejected(
        result,
        f"{a}: headerParams.X-Literal: {cannot}",
        f"{a}: headerParams.X-Bad\\r\\nInjected: 'X-Bad\\r\\nInjected' is not a valid HTTP header name",
        f"{a}: headerParams.X Space: 'X Space' is not a valid HTTP header name",
        f"{a}: headerParams.\\ufeffX-Bom: '\\ufeffX-Bom' is not a valid HTTP header name",
        f"{b}: headerParams.X-Param: {{name}}: {cannot}",
        f"{b}: headerParams.X-Crlf: {{crlf}}: value contains a line break or a NUL",
    )
    assert api.seen == []


def test_a_space_inside_a_header_value_is_sent_and_a_pasted_key_is_stripped(serve, run_spec):
    api = serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
    doc = source_spec(api.url, schema=SCHEMA, headerParams={"X-Words": "two words", "X-Key": "${api_key}"})
    result = run_spec.cli(doc, api_key="  k3y-pasted-with-spaces \n", **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (seen,) = api.seen
    assert seen.headers["X-Words"] == "two words"
    assert seen.headers["X-Key"] == "k3y-pasted-with-spaces"
    assert "k3y-pasted-with-spaces" not in result.stderr


def test_path_values_that_would_move_the_request_are_refused(run_spec, api):
    doc = source_spec(api.url, "/a/${up}/b/${here}/c/${spaced}/d/${fine}", schema=SCHEMA)
    result = run_spec.cli(doc, params={"up": "..", "here": ".", "spaced": " .. ", "fine": "..."}, **FAST)
    file = f"{run_spec.directory}/items.json"
    rejected(
        result,
        *(
            f"{file}: urlParams.path: {{{name}}}: path value {value!r} would move the request to another path"
            for name, value in (("here", "."), ("spaced", " .. "), ("up", ".."))
        ),
    )
    assert api.seen == []


# --- spec documents the parser must survive ---------------------------------------------------------


def test_a_spec_nested_900_levels_deep_is_one_line(tmp_path, api):
    write(tmp_path, '{"sourceSpec": {"attributes": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}}")
    result = run_cli(tmp_path, {"specs": ["x.json"], **FAST})
    rejected(result, "x.json: nested too deeply (more than 64 levels of objects and arrays)")


def test_a_spec_nested_deeper_than_the_json_parser_goes_is_one_line(tmp_path, api):
    write(tmp_path, '{"sourceSpec": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = run_cli(tmp_path, {"specs": ["x.json"], **FAST})
    rejected(result, "x.json: not valid JSON: nested too deeply")


UNLOADABLE = "must be a JSON schema object (true, false and lists of schemas are not loadable)"
BAD_SCHEMAS = [
    (
        {"type": "objekt"},
        "schema.type: not a valid JSON schema: 'objekt' is not valid under any of the given schemas",
    ),
    (
        {"type": "object", "required": "id"},
        "schema.required: not a valid JSON schema: 'id' is not of type 'array'",
    ),
    (
        {"type": "object", "properties": {"id": True}},
        f"schema.properties.id: {UNLOADABLE}",
    ),
    (
        {"type": "object", "properties": {"tags": {"type": "array", "items": [{"type": "string"}]}}},
        f"schema.properties.tags.items: {UNLOADABLE}",
    ),
    (
        {"type": "object", "properties": {"id": {"anyOf": [False]}}},
        f"schema.properties.id.anyOf[0]: {UNLOADABLE}",
    ),
    (["id"], "schema: must be a JSON schema object"),
]


@pytest.mark.parametrize("mode", ["sync", "--discover"])
def test_custom_schemas_the_sdk_cannot_load_are_one_line_each(tmp_path, api, mode):
    names = [
        write(tmp_path, source_spec(api.url, schema=schema), f"s{i}.json")
        for i, (schema, _) in enumerate(BAD_SCHEMAS)
    ]
    result = run_cli(tmp_path, {"specs": names, **FAST}, *([mode] if mode != "sync" else []))
    rejected(result, *(f"s{i}.json: {line}" for i, (_, line) in enumerate(BAD_SCHEMAS)))
    assert api.seen == []


def test_delays_that_overflow_a_timer_are_one_line_each(tmp_path, api):
    delays = [1e20, "1e20", -5, 3_600_001]
    names = [
        write(
            tmp_path,
            source_spec(api.url, schema=SCHEMA, pagination={"type": "NONE", "delayRequestMillis": d}),
            f"d{i}.json",
        )
        for i, d in enumerate(delays)
    ]
    result = run_cli(tmp_path, {"specs": names, **FAST})
    rejected(
        result,
        "d0.json: paginationParams.delayRequestMillis: 100000000000000000000 is more than 3600000",
        "d1.json: paginationParams.delayRequestMillis: '1e20' is not an integer",
        "d2.json: paginationParams.delayRequestMillis: -5 is less than 0",
        "d3.json: paginationParams.delayRequestMillis: 3600001 is more than 3600000",
    )
