"""Fuzzing the spec parser: mutated shipped specs fail with one clean line each, never a traceback.

Each case takes one of the shipped specs (`specs/*.json`), applies one to three seeded
mutations (delete, duplicate or retype a property, nest deeply, CR/LF and non-Latin-1 in
headers, huge numbers, wrong-typed `spec.properties.*`, keep/skip of the wrong type, BOMs,
empty strings, enumerations in random case or unknown, broken placeholders and
expressions, broken JSON text) and builds the tap's streams and catalog in-process, as
`--discover` does, with `base_url` at a closed local port so nothing is ever answered.
The only exceptions allowed are `UserError`s whose lines are each one line and start with
the spec's file name and the property (or say the file is not a JSON object), `config:`,
or (a request to the closed port) `stream <name>:`.

A second part mutates every shipped spec at the properties the contract types: a number
where a string belongs (host, path, JSONPaths, parameter names), an enumeration given as
`null`, `""` or padded with spaces, must each be refused with a line naming that property;
an enumeration in another case must be accepted.

    RESTSPEC_FUZZ_CASES=5000 RESTSPEC_FUZZ_SEED=7 .venv/bin/python -m pytest tests/cli/test_spec_fuzz.py

runs more cases (default 300, seed 20261201); a failure names its case number and mutations.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import os
import random
import re
import socket
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tap_restspec.errors import UserError
from tap_restspec.expr.template import PLACEHOLDER
from tap_restspec.model.spec import SECRET_SETTINGS
from tap_restspec.parse.keys import KNOWN
from tests.helpers import ROOT, run_cli

SHIPPED = sorted((ROOT / "specs").glob("*.json"))
CASES = int(os.environ.get("RESTSPEC_FUZZ_CASES", "300"))
SEED = int(os.environ.get("RESTSPEC_FUZZ_SEED", "20261201"))
CHUNKS = 10

ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, 10**30, -(10**30), 1e308, math.inf, -math.inf, math.nan,
    "", " ", "x", "\r\n", "a\nb", "日本", "\ufeff", "\x00", "${", "@{", "NONE", "2024-13-45",
    [], [None], [1, "a"], [[[]]], {}, {"a": 1}, {"type": 5}, {"path": None},
]  # fmt: skip
HEADER_NAMES = [
    "X-A\r\nInjected", "X-A\nB", "X A", "", " ", "X-€", "X-日本", "\ufeffX-Bom", "X:Colon", "X\tTab",
    "Authorization", "x-api-key", "X-\x00", "X-Ok",
]  # fmt: skip
HEADER_VALUES: list[Any] = [
    "a\r\nInjected: 1", "a\nb", "a b", "", "€", "日本", "\ufeffv", "\x00", "${api_key}", " ${api_key} ",
    "${nosuch}", "@{concat('a'", 5, None, True, [1], {"a": 1}, "Bearer ${access_token}\r\n",
]  # fmt: skip
STRINGS = [
    "", " ", "${", "${}", "${ nosuch }", "{{", "{{x}}", "{nosuch}", "@{", "@{concat(", "@{nosuch()}",
    "@{pipeline().parameters.nosuch}", "@{if(true,'a')}", "@{formatDateTime(utcNow(),'yyyy')}",
    "%", "..", "/../x", "?a=b&c", "#frag", "\r\n", "\x00", "\ufeff", "日本", "é", "$.", "$..", "$[",
    "headers.", "headers.link", "Const:", "Const:{", "yyyy'", "%", "\\", "'", "P", "PT0S", "P99999Y",
]  # fmt: skip
ENUM_KEYS = ("type", "method", "parameterType", "authenticationMethod")
NUMBER_KEYS = (
    "limitValue", "delayRequestMillis", "maximumRequest", "initialPageIndex", "endPageIndex",
)  # fmt: skip
HUGE: list[Any] = [
    10**20, 10**400, -(10**20), 1e308, -1e308, 1e20, "1e20", "99999999999999999999", "-1", "0", 0,
    "1.5", 1.5, "٣", "²", " 10 ", "+10", "0x10", math.inf, math.nan,
]  # fmt: skip


# --- walking and mutating a document ------------------------------------------------------


def slots(node: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) of a document below its root, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        items: Any = current.items() if isinstance(current, dict) else enumerate(current)
        for key, value in list(items):
            yield current, key
            if isinstance(value, (dict, list)):
                stack.append(value)


def pick(rng: random.Random, doc: Any, keep: Callable[[Any, Any], bool] = lambda c, k: True) -> Any:
    candidates = [(c, k) for c, k in slots(doc) if keep(c, k)]
    return rng.choice(candidates) if candidates else None


def attributes(doc: dict[str, Any]) -> dict[str, Any]:
    source = doc.get("sourceSpec", doc)
    attrs = source.get("attributes") if isinstance(source, dict) else None
    return attrs if isinstance(attrs, dict) else {}


def delete(rng: random.Random, doc: Any) -> str:
    slot = pick(rng, doc)
    if slot is None:
        return "delete: nothing"
    container, key = slot
    del container[key]
    return f"delete {key!r}"


def duplicate(rng: random.Random, doc: Any) -> str:
    slot, other = pick(rng, doc), pick(rng, doc, lambda c, k: isinstance(c, dict))
    if slot is None or other is None:
        return "duplicate: nothing"
    container, key = slot
    target, name = other
    value = copy.deepcopy(container[key])
    target[name] = value
    return f"duplicate {key!r} over {name!r}"


def retype(rng: random.Random, doc: Any) -> str:
    slot = pick(rng, doc)
    if slot is None:
        return "retype: nothing"
    container, key = slot
    value = rng.choice(ODD_VALUES)
    container[key] = copy.deepcopy(value)
    return f"retype {key!r} = {value!r}"[:120]


def nest(rng: random.Random, doc: Any) -> str:
    slot = pick(rng, doc)
    if slot is None:
        return "nest: nothing"
    container, key = slot
    depth = rng.choice([2, 10, 63, 64, 65, 200, 900])
    value = container[key]
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"a": value}
    container[key] = value
    return f"nest {key!r} {depth} deep"


def header(rng: random.Random, doc: Any) -> str:
    attrs = attributes(doc)
    name, value = rng.choice(HEADER_NAMES), rng.choice(HEADER_VALUES)
    if rng.random() < 0.2:
        attrs["headerParams"] = f"{name}={value}"
    else:
        headers = attrs.get("headerParams")
        if not isinstance(headers, dict):
            headers = attrs["headerParams"] = {}
        headers[name] = value
    return f"header {name!r}: {value!r}"


def key_header(rng: random.Random, doc: Any) -> str:
    """A KeyBased authSpec entry whose header name (or the key itself) is odd."""
    name = rng.choice([*HEADER_NAMES, 5, None, ""])
    entry = {
        "name": "key",
        "type": rng.choice(["KeyBased", "keybased", "KEYBASED", "Key Based"]),
        "spec": {"properties": {"authKey1": {"type": "string", "restAttributes": {"headerParamName": name}}}},
    }
    others = doc.get("authSpec") if isinstance(doc.get("authSpec"), list) else []
    doc["authSpec"] = [entry, *others]
    return f"KeyBased header {name!r}"


def huge(rng: random.Random, doc: Any) -> str:
    attrs = attributes(doc)
    paging = attrs.get("paginationParams")
    if not isinstance(paging, dict):
        paging = attrs["paginationParams"] = {"type": rng.choice(["OFFSET", "PAGE", "POINTER"])}
    key, value = rng.choice(NUMBER_KEYS), rng.choice(HUGE)
    paging[key] = value
    return f"paginationParams.{key} = {value!r}"[:120]


def user_inputs(rng: random.Random, doc: Any) -> str:
    """`spec.properties.*.type`, `description`, `enum`, `default` of the wrong type."""
    entries = doc.get("authSpec") if isinstance(doc.get("authSpec"), list) else []
    holders = [doc.get("sourceSpec", doc), *(e for e in entries if isinstance(e, dict))]
    holder = rng.choice([h for h in holders if isinstance(h, dict)] or [{}])
    schema = holder.setdefault("spec", {})
    if not isinstance(schema, dict):
        return "spec.properties: spec is not an object"
    props = schema.setdefault("properties", {})
    if not isinstance(props, dict):
        return "spec.properties: not an object"
    name = rng.choice([*props, "dc", "listId", "extra"] if props else ["dc", "extra"])
    prop = props.setdefault(name, {})
    if not isinstance(prop, dict):
        props[name] = prop = {}
    field = rng.choice(["type", "description", "enum", "default", "required"])
    value = rng.choice([*ODD_VALUES, ["string", 5], ["nosuch"], "strin", "STRING"])
    if field == "required":
        schema["required"] = copy.deepcopy(value)
    else:
        prop[field] = copy.deepcopy(value)
    return f"spec.properties.{name}.{field} = {value!r}"[:120]


def keep_skip(rng: random.Random, doc: Any) -> str:
    attrs = attributes(doc)
    where = rng.choice(["contentPath", "explodeEntityPath"])
    selection = attrs.get(where)
    if not isinstance(selection, dict):
        selection = attrs[where] = {"path": "$.items" if where == "contentPath" else "$.items.sub"}
    key = rng.choice(["keepAttributes", "skipAttributes", "overrideWrapperAttribute", "path"])
    value = rng.choice([*ODD_VALUES, [{"a": 1}], ["a", None], [True], "$.x[", "$..x", "$.*"])
    selection[key] = copy.deepcopy(value)
    return f"{where}.{key} = {value!r}"[:120]


def empty_string(rng: random.Random, doc: Any) -> str:
    slot = pick(rng, doc, lambda c, k: isinstance(c[k], str))
    if slot is None:
        return "empty: nothing"
    container, key = slot
    container[key] = rng.choice(["", " ", "\t"])
    return f"empty {key!r}"


def enumeration(rng: random.Random, doc: Any) -> str:
    slot = pick(rng, doc, lambda c, k: k in ENUM_KEYS and isinstance(c[k], str))
    if slot is None:
        return "enumeration: nothing"
    container, key = slot
    old = container[key]
    kind = rng.random()
    if kind < 0.4:
        new = "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in old)
    elif kind < 0.6:
        new = f" {old}\ufeff" if rng.random() < 0.5 else f"{old}\n"
    else:
        new = rng.choice(["OFSET", "pointers", "CURSOR", "PUT", "delete", "BODY", "ADVANCED", "ünicode"])
    container[key] = new
    return f"enumeration {key!r}: {old!r} -> {new!r}"


def strings(rng: random.Random, doc: Any) -> str:
    slot = pick(rng, doc, lambda c, k: isinstance(c[k], str))
    if slot is None:
        return "strings: nothing"
    container, key = slot
    extra = rng.choice(STRINGS)
    container[key] = rng.choice([extra, container[key] + extra, extra + container[key]])
    return f"string {key!r} += {extra!r}"


def schema_shape(rng: random.Random, doc: Any) -> str:
    """A custom schema of odd shape: boolean or list subschemas, odd keywords, refs."""
    attrs = attributes(doc)
    schema = attrs.get("schema")
    if not isinstance(schema, dict):
        schema = attrs["schema"] = {"type": "object", "properties": {}}
    props = schema.get("properties")
    if not isinstance(props, dict):
        props = schema["properties"] = {}
    value = rng.choice(
        [True, False, [], [{"type": "string"}], {"type": "array", "items": [{"type": "string"}]},
         {"type": "array", "items": True}, {"$ref": "#/definitions/nope"}, {"type": "objekt"},
         {"type": ["integer", "nosuch"]}, {"properties": {"a": False}}, {"anyOf": [True]}, {"format": 5},
         {"type": "object", "properties": {"a": {"type": "array", "items": False}}}, {"required": "id"}]
    )  # fmt: skip
    name = rng.choice([*props, "id", "new"] if props else ["id", "new"])
    props[name] = copy.deepcopy(value)
    return f"schema.properties.{name} = {value!r}"[:120]


MUTATIONS: list[Callable[[random.Random, Any], str]] = [
    delete, duplicate, retype, nest, header, key_header, huge, user_inputs, keep_skip, empty_string,
    enumeration, strings, schema_shape,
]  # fmt: skip


def text_of(rng: random.Random, doc: Any, done: list[str]) -> bytes:
    """The document as the file's bytes, sometimes broken at the text level."""
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    kind = rng.random()
    if kind < 0.05:
        done.append("BOM")
        return ("\ufeff" + text).encode()
    if kind < 0.07:
        done.append("two BOMs")
        return ("\ufeff\ufeff" + text).encode()
    if kind < 0.09:
        done.append("truncated")
        return text[: rng.randrange(len(text))].encode()
    if kind < 0.10:
        done.append("not UTF-8")
        return text.encode("utf-16")
    if kind < 0.11:
        done.append("duplicate key")
        return text.replace('"sourceSpec":', '"sourceSpec": null, "sourceSpec":', 1).encode()
    if kind < 0.12:
        done.append("not an object")
        return rng.choice([b"[]", b"null", b"5", b'"spec"', b""])
    return text.encode()


def make_case(index: int) -> tuple[str, bytes, list[str]]:
    """Case `index`: the spec it mutates, the file's bytes, and what was done."""
    rng = random.Random(f"{SEED}:{index}")
    source = rng.choice(SHIPPED)
    doc = json.loads(source.read_text())
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # a nested value may be copied or nested again
    try:
        chosen = [rng.choice(MUTATIONS) for _ in range(rng.randint(1, 3))]
        done = [f"{mutation.__name__}: {mutation(rng, doc)}" for mutation in chosen]
        return source.name, text_of(rng, doc, done), done
    finally:
        sys.setrecursionlimit(limit)


# --- running a case -----------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@functools.cache
def shipped_placeholders() -> dict[str, str]:
    """A value for every placeholder name in the shipped specs (secrets and windows aside)."""
    names = {n for spec in SHIPPED for groups in PLACEHOLDER.findall(spec.read_text()) for n in groups if n}
    return {
        name: "v1" for name in sorted(names - {"START_TIME", "END_TIME", "SCHEDULE_QUERY", *SECRET_SETTINGS})
    }


def config_for(spec: str, port: int) -> dict[str, Any]:
    """Values for every shipped spec's placeholders; every request goes to a closed port."""
    return {
        "specs": [spec],
        "base_url": f"http://127.0.0.1:{port}",
        "username": "fuzz@example.com/token",
        "password": "fuzz-password",
        "api_key": "fuzz-api-key",
        "access_token": "fuzz-access-token",
        "refresh_token": "fuzz-refresh-token",
        "client_id": "fuzz-client-id",
        "client_secret": "fuzz-client-secret",
        "max_retries": 0,
        "request_timeout": 1,
        "params": {
            **shipped_placeholders(),
            "dc": "us21",
            "listId": "a1b2c3",
            "campaignId": "c1",
            "subdomain": "acme",
            "api_host": "api.segmentapis.com",
            "accessTokenUrl": f"http://127.0.0.1:{port}/v2/oauth2/token",
        },
    }


# What a line about the whole file says (there is no property to name).
WHOLE_FILE = ("not valid JSON", "a spec must be a JSON object", "nested too deeply", "cannot read file")
# The first name of a property path: a key of an object the contract defines, or `params`.
ROOTS = {key for keys in KNOWN.values() for key in keys} | set(KNOWN) | {"params"}


def names_a_property(line: str, spec: str) -> bool:
    """`<spec>: <property>: <message>`, the property's first name one the contract defines."""
    rest = line[len(spec) + 2 :]
    if rest.startswith(WHOLE_FILE):
        return True
    return ": " in rest and re.split(r"[.\[:]", rest, maxsplit=1)[0] in ROOTS


def bad_lines(lines: list[str], spec: str) -> list[str]:
    """Lines that are not one line, or start with neither the file and a property, `config:`
    nor `stream `."""
    return [
        line
        for line in lines
        if "\n" in line
        or "\r" in line
        or not line.startswith((f"{spec}: ", "config: ", "stream "))
        or (line.startswith(f"{spec}: ") and not names_a_property(line, spec))
    ]


def run_case(directory: Path, index: int, port: int) -> str | None:
    """None when case `index` builds its streams or fails cleanly; else what went wrong."""
    from tap_restspec.tap import TapRestSpec

    source, data, done = make_case(index)
    path = directory / f"case{index}.json"
    path.write_bytes(data)
    what = f"case {index} ({source}: {'; '.join(done)})"
    try:
        tap = TapRestSpec(config=config_for(str(path), port), setup_mapper=False, validate_config=True)
        tap.streams  # noqa: B018  (parse, bind, build every stream)
        tap.catalog_dict  # noqa: B018  (every schema, as --discover writes it)
    except UserError as exc:
        wrong = bad_lines(exc.lines, str(path))
        return f"{what}: {type(exc).__name__} lines {wrong!r}" if wrong or not exc.lines else None
    except Exception:
        return f"{what}:\n{traceback.format_exc(limit=-3)}"
    return None


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutated_specs_fail_with_clean_lines(tmp_path, chunk):
    port = closed_port()
    cases = range(chunk, CASES, CHUNKS)
    failures = [f for f in (run_case(tmp_path, i, port) for i in cases) if f is not None]
    assert failures == [], f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures[:5])


def test_every_mutation_is_exercised():
    used = {step.split(":", 1)[0] for index in range(CASES) for step in make_case(index)[2]}
    assert used >= {mutation.__name__ for mutation in MUTATIONS}


CLI_SAMPLE = [3, 17, 42, 99, 150, 233]


@pytest.mark.parametrize("index", CLI_SAMPLE)
def test_mutated_specs_through_the_cli_discover(tmp_path, index):
    """The same cases through `tap-restspec --discover`: exit 0 with a catalog, or 1 with clean lines."""
    _, data, done = make_case(index)
    (tmp_path / "case.json").write_bytes(data)
    result = run_cli(tmp_path, config_for("case.json", closed_port()), "--discover", timeout=60)
    assert "Traceback" not in result.stderr, (done, result.stderr[-2000:])
    if result.code == 0:
        assert json.loads(result.stdout)["streams"], done
        return
    assert result.code == 1, (done, result.stderr[-2000:])
    problems = [
        line
        for line in result.stderr.splitlines()
        if " | " not in line  # log lines have " | " fields
    ]
    assert problems, (done, result.stderr)
    assert bad_lines(problems, "case.json") == [], (done, problems)


# --- typed properties: numbers are not strings; enumerations in any case, nothing else ------------

# (object of `attributes`, or `singer`) -> keys whose value is a string (a JSONPath, a host, a
# path, a parameter name, a format, a template)
TEXT_KEYS = {
    "urlParams": ("host", "path"),
    "paginationParams": (
        "limitName", "offSetName", "offsetName", "pointerPath", "continuationTokenPath",
        "parameterName", "pageParamName", "endConditionName",
    ),
    "contentPath": ("path", "overrideWrapperAttribute"),
    "explodeEntityPath": ("path",),
    "scheduleParams": (
        "scheduleStartParamName", "scheduleEndParamName", "scheduleStartParamFormat",
        "scheduleEndParamFormat", "paramFormat", "incremental", "backfill",
    ),
    "singer": ("name", "replicationKey"),
}  # fmt: skip
ENUM_KEYS_OF = {
    "urlParams": ("method",),
    "paginationParams": ("type", "parameterType"),
    "scheduleParams": ("type",),
}
NUMBERS: list[Any] = [7, 0, -1, 1.5, 10**20, True, False]


def holder(doc: dict[str, Any], obj: str) -> dict[str, Any] | None:
    """The object `obj` of a shipped spec (`singer`, or one of `attributes`)."""
    found = doc.get("singer") if obj == "singer" else attributes(doc).get(obj)
    return found if isinstance(found, dict) else None


def typed_cases() -> list[tuple[str, str, str, Any, bool]]:
    """(spec, object, key, value, must be refused) for every typed property of every shipped spec:
    a number for each string, null/""/padded for each enumeration (refused), and each enumeration
    in another case (accepted). Each property takes the values of its class in turn, spec after
    spec, so every value meets every property that enough specs have.
    """
    turn: Counter[tuple[str, str]] = Counter()
    cases = []

    def next_of(obj: str, key: str, values: list[Any]) -> Any:
        turn[obj, key] += 1
        return values[(turn[obj, key] - 1) % len(values)]

    for source in SHIPPED:
        doc = json.loads(source.read_text())
        for obj, keys in TEXT_KEYS.items():
            for key in keys:
                if isinstance((holder(doc, obj) or {}).get(key), str):
                    cases.append((source.name, obj, key, next_of(obj, key, NUMBERS), True))
        for obj, keys in ENUM_KEYS_OF.items():
            for key in keys:
                old = (holder(doc, obj) or {}).get(key)
                if not isinstance(old, str):
                    continue
                bad = [None, "", " ", f" {old}", f"{old} ", f"{old}\n", f"\t{old}", 7]
                cases.append((source.name, obj, key, next_of(obj, key, bad), True))
                other_case = [old.lower(), old.title(), old.swapcase()][turn[obj, key] % 3]
                cases.append((source.name, obj, key, other_case, False))
    return cases


TYPED = typed_cases()


def typed_property(obj: str, key: str) -> str:
    """The property path a line names: `urlParams.path`, `singer.name`, `contentPath` (when the
    whole selection is the wrong type)."""
    return f"{obj}.{key}"


def build(path: Path, port: int) -> list[str]:
    """The problem lines of building the spec at `path` alone (as `--discover` does), with the
    file's name as `<spec>`; none when it builds."""
    from tap_restspec.tap import TapRestSpec

    try:
        tap = TapRestSpec(config=config_for(str(path), port), setup_mapper=False, validate_config=True)
        tap.streams  # noqa: B018  (parse, bind, build every stream)
    except UserError as exc:
        return [line.replace(str(path), "<spec>") for line in exc.lines]
    return []


def run_typed(directory: Path, index: int, port: int) -> str | None:
    """None when typed case `index` ends as it must; else what happened. A shipped spec alone may
    have problems of its own (a child without its parent): another case changes none of them."""
    source, obj, key, value, refused = TYPED[index]
    doc = json.loads((ROOT / "specs" / source).read_text())
    path = directory / f"typed{index}.json"
    path.write_text(json.dumps(doc))
    before = build(path, port)
    target = holder(doc, obj)
    assert target is not None
    target[key] = value
    path.write_text(json.dumps(doc))
    what = f"typed case {index} ({source}: {obj}.{key} = {value!r})"
    try:
        after = build(path, port)
    except Exception:
        return f"{what}:\n{traceback.format_exc(limit=-3)}"
    wrong = bad_lines(after, "<spec>")
    if wrong:
        return f"{what}: lines {wrong!r}"
    prop = typed_property(obj, key)
    if refused and not any(line.startswith(f"<spec>: {prop}: ") for line in after):
        return f"{what}: not refused naming {prop}: {after!r}"
    if not refused and after != before:
        return f"{what}: another case changed the outcome: {after!r} (unmutated: {before!r})"
    return None


@pytest.mark.parametrize("chunk", range(4))
def test_numbers_for_strings_and_padded_enumerations_are_refused_naming_the_property(tmp_path, chunk):
    port = closed_port()
    cases = range(chunk, len(TYPED), 4)
    failures = [f for f in (run_typed(tmp_path, i, port) for i in cases) if f is not None]
    assert failures == [], f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures[:8])


def test_typed_cases_cover_every_class():
    """Each class the issue found accepted is among the cases: an empty method, a null and a
    space-padded pagination type, numbers where a JSONPath, a host, a path and a parameterName
    belong; and enumerations in another case."""
    seen = {(obj, key, type(value).__name__, refused) for _, obj, key, value, refused in TYPED}
    for obj, key in [("urlParams", "host"), ("urlParams", "path"), ("contentPath", "path")]:
        assert any(o == obj and k == key and r and t in ("int", "float", "bool") for o, k, t, r in seen), key
    assert any(k == "parameterName" and r for _, k, _, r in seen)
    assert any(k == "continuationTokenPath" and r for _, k, _, r in seen)
    assert any(k == "method" and not r for _, k, _, r in seen)
    values = [(obj, key, value) for _, obj, key, value, refused in TYPED if refused]
    assert ("urlParams", "method", "") in values
    assert ("paginationParams", "type", None) in values
    padded = [v for o, k, v in values if (o, k) == ("paginationParams", "type") and isinstance(v, str)]
    assert any(v != v.strip() for v in padded)


@pytest.mark.parametrize(
    ("obj", "key", "value", "line"),
    [
        pytest.param(
            "urlParams", "method", "", "urlParams.method: '' is not one of GET, POST", id="empty-method"
        ),
        pytest.param(
            "paginationParams",
            "type",
            None,
            "paginationParams.type: null is not one of OFFSET, POINTER, CONTINUATION_TOKEN, PAGE, NONE",
            id="null-type",
        ),
        pytest.param(
            "paginationParams",
            "type",
            "offset ",
            "paginationParams.type: 'offset ' is not one of OFFSET, POINTER, CONTINUATION_TOKEN, PAGE, NONE",
            id="padded-type",
        ),
        pytest.param("urlParams", "path", 7, "urlParams.path: 7 is not a string", id="number-path"),
        pytest.param("urlParams", "host", 7, "urlParams.host: 7 is not a string", id="number-host"),
        pytest.param("contentPath", "path", 7, "contentPath.path: 7 is not a string", id="number-jsonpath"),
        pytest.param(
            "paginationParams", "parameterName", 7, "paginationParams.parameterName: 7 is not a string",
            id="number-parameterName",
        ),
    ],
)  # fmt: skip
def test_the_issues_classes_through_the_cli(tmp_path, obj, key, value, line):
    """The classes the issue found accepted, each through `tap-restspec --discover`: one line."""
    doc = json.loads((ROOT / "specs" / "segment_sources.json").read_text())
    target = holder(doc, obj)
    assert target is not None and key in target
    target[key] = value
    (tmp_path / "case.json").write_text(json.dumps(doc))
    result = run_cli(tmp_path, config_for("case.json", closed_port()), "--discover", timeout=60)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    problems = [row for row in result.stderr.splitlines() if " | " not in row]
    assert problems == [f"case.json: {line}"]
