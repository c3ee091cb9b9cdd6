"""The harness's scan for the variables a JSONata expression uses (moto's, without its regex bug), checked
against a real JSONata parser (jsonata-python's, a port of jsonata-js's lexer and parser) on every
expression of the golden definitions and on lexical edge cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("moto")
jsonata = pytest.importorskip("jsonata")

from portaflow.backends.aws.offline.exprcheck import lower_expression  # noqa: E402
from portaflow.backends.aws.offline.harness import _variable_references  # noqa: E402

from .test_expression_differential import ANNOTATIONS, expressions  # noqa: E402

GOLDENS = Path(__file__).parent / "goldens"


def parsed_variables(expression: str) -> set[str]:
    """Every variable name the JSONata parser sees (bound, free or a function's), without the ``$``."""
    found: set[str] = set()
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, jsonata.parser.Parser.Symbol) or id(node) in seen:
            return
        seen.add(id(node))
        if node.type == "variable":
            found.add(node.value)
        for key, value in vars(node).items():
            if key != "_outer_instance":
                walk(value)

    walk(jsonata.Jsonata(expression).ast)
    return found


def scanned_variables(expression: str) -> set[str]:
    return {ref[1:].split(".", 1)[0] for ref in _variable_references(expression)}


def golden_expressions() -> list[str]:
    found: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
            found.append(value[2:-2].strip())

    for path in sorted(GOLDENS.glob("*.asl.json")):
        collect(json.loads(path.read_text()))
    return found


def test_every_golden_expression_scans_as_the_parser_reads_it() -> None:
    from moto.stepfunctions.parser.asl.jsonata.jsonata import extract_jsonata_variable_references

    expressions = golden_expressions()
    assert len(expressions) > 500
    for expression in expressions:
        assert scanned_variables(expression) == parsed_variables(expression), expression
        if "/" not in expression:  # where moto's scan is right, the two agree exactly
            assert _variable_references(expression) == extract_jsonata_variable_references(expression)


EDGES = {
    # a division, then a regex: moto pairs the two slashes and ends on a lone "$"
    "($d := ($a - $m) / $b; $contains($v, /^\\s*[0-9]+\\s*$/) ? $d : $w)": {
        "d",
        "a",
        "m",
        "b",
        "contains",
        "v",
        "w",
    },
    "$x / 2 / $y": {"x", "y"},
    "($n)/2 + $k[0]/$j": {"n", "k", "j"},
    '{"a": 1}.a / $z': {"z"},
    "$replace($s, /a\\/b/, $t)": {"replace", "s", "t"},  # an escaped slash inside the regex
    "$match($s, /[/]$/i).match & $u": {"match", "s", "u"},  # a slash inside brackets, flags
    "\"a/b $notvar\" & $s & '$no/' & $t": {"s", "t"},  # strings hide slashes and dollars
    "/* $no / */ $a / $b": {"a", "b"},  # a comment
    "`a/b` / $c": {"c"},  # a backquoted name is an operand
    "$a and /x$/ in $b": {"a", "b"},  # after a word operator, a regex
    "$states.input.x / $states.context.Map.Item.Index": {"states"},
    # a division, then a regex ending in a "$" anchor, then a $states reference moto would miss
    '$n / 2 & $replace($s, /a$/, "") & $states.input.x': {"n", "replace", "s", "states"},
}


@pytest.mark.parametrize("expression", sorted(EDGES))
def test_lexical_edge_cases(expression: str) -> None:
    assert parsed_variables(expression) == EDGES[expression]
    assert scanned_variables(expression) == EDGES[expression]


def test_references_keep_moto_paths_and_the_lone_dollar_stays_refused() -> None:
    from moto.stepfunctions.parser.asl.jsonata.jsonata import IllegalJSONataVariableReference

    refs = _variable_references("$states.input.x / 2 & $contains($s, /y/) & $states.context.Task.Token")
    assert refs == {"$states.input.x", "$contains", "$s", "$states.context.Task.Token"}
    for bad in ("$ / 2", "$$.Execution"):
        with pytest.raises(IllegalJSONataVariableReference):
            _variable_references(bad)


DIVIDE_AND_MATCH = [
    "int(s) // 2",
    "int(v) + a // 3",
    "[b / 4, s.strip(), len(s.split()) % 3]",
    "str(a // 3) + s.rstrip()",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=st.one_of(expressions(), st.sampled_from(DIVIDE_AND_MATCH)))
def test_every_lowered_expression_scans_as_the_parser_reads_it(expr: str) -> None:
    """The differential test's random expressions, lowered: the scan finds what the parser finds."""
    names = {"a": 1, "b": 0.5, "s": "x", "xs": [], "d": {}, "v": None, "t": True}
    text, _ = lower_expression(expr, names, ANNOTATIONS)
    assert scanned_variables(text) == parsed_variables(text), text
