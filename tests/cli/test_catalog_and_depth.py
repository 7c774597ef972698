"""Input that used to crash the tap: a catalog with a non-object schema, and JSON nested 900 deep."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_hostile_servers import FAST, fails_with
from tests.helpers import Reply, source_spec

DOCUMENT = {"singer": {"name": "items", "primaryKeys": ["id"]}}


def catalog_with(run_spec, api, tmp_path, change):
    """The catalog `--discover` writes, every property selected, then changed by `change`."""
    discovered = run_spec.cli(source_spec(api.url, **DOCUMENT), "--discover", **FAST)
    assert discovered.code == 0, discovered.stderr[-2000:]
    catalog = json.loads(discovered.stdout)
    for entry in catalog["streams"][0]["metadata"]:
        entry["metadata"]["selected"] = True
    change(catalog["streams"][0]["schema"])
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog))
    return str(path)


@pytest.mark.parametrize("value", [True, False, 5, "string", ["string"]], ids=repr)
def test_a_catalog_property_schema_that_is_not_an_object_is_one_line(serve, run_spec, tmp_path, value):
    api = serve(lambda seen: Reply(body={"items": [{"id": 1, "x": 1}]}))
    path = catalog_with(run_spec, api, tmp_path, lambda schema: schema["properties"].update(x=value))
    result = run_spec.cli(source_spec(api.url, **DOCUMENT), "--catalog", path, **FAST)
    line = fails_with(result, f"catalog: {path}: stream items: schema.properties.x: ")
    assert f"a schema must be a JSON object, not {json.dumps(value)}" in line
    assert result.stdout == ""


def test_a_nested_non_object_schema_and_a_list_of_properties_are_named_too(serve, run_spec, tmp_path):
    def change(schema):
        schema["properties"]["x"] = {"type": "object", "properties": {"a": {"type": "array", "items": False}}}
        schema["properties"]["y"] = {"type": "object", "properties": []}

    api = serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
    path = catalog_with(run_spec, api, tmp_path, change)
    result = run_spec.cli(source_spec(api.url, **DOCUMENT), "--catalog", path, **FAST)
    assert result.code == 1 and "Traceback" not in result.stderr
    where = f"catalog: {path}: stream items: schema.properties"
    assert f"{where}.x.properties.a.items: a schema must be a JSON object, not false" in result.stderr
    assert f"{where}.y.properties: must be a JSON object of schemas" in result.stderr


def nested(depth):
    return b'{"items": [{"id": 1, "d": ' + b'{"d": ' * depth + b"[]" + b"}" * depth + b"}]}"


def test_json_nested_900_deep_is_read_and_written_as_it_is(serve, run_spec):
    api = serve(lambda seen: Reply(raw=nested(900)))
    result = run_spec.cli(source_spec(api.url, **DOCUMENT), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (record,) = result.records()
    depth, node = 0, record["d"]
    while isinstance(node, dict):
        depth, node = depth + 1, node["d"]
    assert depth == 900 and node == []
    (schema,) = [m["schema"] for m in result.messages() if m["type"] == "SCHEMA"]
    assert len(json.dumps(schema)) < 5000  # typed 32 levels deep, then any value (jsonb)


def test_json_nested_beyond_what_can_be_read_is_one_line_naming_the_stream(serve, run_spec):
    api = serve(lambda seen: Reply(raw=nested(100_000)))
    result = run_spec.cli(source_spec(api.url, **DOCUMENT), **FAST)
    fails_with(result, f"stream items: the response from {api.url}/items is too large or deep")
