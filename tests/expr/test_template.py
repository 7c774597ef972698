"""expr/template.py: placeholders rendered, missing values named, path values kept to one segment."""

from __future__ import annotations

import pytest

from tap_restspec.expr.template import TemplateError, compile_template, encode_path_value, render


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        pytest.param("/a/${x}/b", {"x": "1"}, "/a/1/b", id="dollar"),
        pytest.param("/a/{x}/{{y}}", {"x": "1", "y": 2}, "/a/1/2", id="single-double"),
        pytest.param("{x}", {"x": True}, "true", id="boolean"),
        pytest.param("no placeholders", {}, "no placeholders", id="literal"),
        pytest.param("{not a placeholder}", {}, "{not a placeholder}", id="spaces-not-a-name"),
    ],
)
def test_template_render(text, values, expected):
    assert render(compile_template(text), values) == expected


def test_template_missing_value_and_names():
    template = compile_template("${a}/{b}/{{c}}")
    assert template.names == {"a", "b", "c"}
    with pytest.raises(TemplateError, match=r"placeholder \{b\} has no value"):
        render(template, {"a": 1, "c": 3})


def test_path_values_are_one_segment():
    assert encode_path_value("a/b?c#d e") == "a%2Fb%3Fc%23d%20e"
