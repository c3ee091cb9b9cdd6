"""The offline proof against the real thing. Step Functions evaluates JSONata 2.0.6 in JavaScript
(jsonata-js); the harness and the differential test use jsonata-python made JavaScript's by
``jsonata_eval.faithful``. Here the two evaluate the same expressions and must agree, and the lowering of
every form of the differential test must give CPython's value on jsonata-js itself (strings with astral
characters, whitespace and non-ASCII text, bools in arithmetic). ``scripts/test.sh`` installs the npm package
``jsonata@2.0.6``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jsonata")

from portaflow.backends.aws.offline.exprcheck import (
    eval_jsonata_js,
    jsonata_js,
    lower_expression,
    marked_error,
    with_names,
)
from portaflow.backends.aws.offline.jsonata_eval import evaluate, faithful

from . import test_expression_errors
from .test_expression_differential import ANNOTATIONS, FORMS, python_result, raised_as, same

# JSONata where jsonata-python and jsonata-js would differ without faithful() and the JavaScript regex engine
EVALUATOR_CASES = [
    # code points: $length, $substring, $pad count them in both
    '$length("a😀b")',
    '$substring("a😀b", 1, 1)',
    '$substring("a😀b", -1)',
    '$pad("😀", 3, "x")',
    '$length("\\ud83d\\ude00")',  # an escaped pair is one character
    '"\\ud83d\\ude00" = "😀"',
    # UTF-16 code units: $split(s, ""), order, regular expressions
    '$split("a😀b", "")',
    '$split("a😀b", "", 2)',
    '"😀" < "\\uffff"',
    '"\\ue000" >= "😀"',
    '$sort(["😀", "\\uffff", "a"], function($l, $r){$l > $r})',
    '$match("a😀b", /./)',
    '[$match("a😀b", /[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\s\\S]/).match]',
    '$replace("a😀b", /[^a]/, "x")',
    '$split("a😀b😀", /\\uDE00/)',
    '$contains("😀", /^[\\uD800-\\uDBFF]$/)',
    '$contains("😀", /^[\\uD800-\\uDBFF]/)',
    # JavaScript's classes
    '[$contains("\\ufeff", /\\s/), $contains("\\u001c", /\\s/), $contains("\\u0085", /\\s/)]',
    '[$contains("\\u0663", /\\d/), $contains("\\u00e9", /\\w/), $contains("\\u00e9a", /\\ba/)]',
    '[$contains("a\\n", /a$/), $contains("a\\r", /^.+$/), $contains("\\u2028", /./)]',
    '$replace(" \\u00a0x\\u3000 ", /^\\s+|\\s+$/, "")',
    '$match("ab12", /([a-z]+)([0-9]+)/)',
    '$replace("abc", /(b)/, "[$1$0$$]")',
    # functions
    '$replace("abc", "b", "$0$1$$")',
    '$lowercase("ẞßİ")',
    '$uppercase("ßé")',
    '$string(["é😀", {"ü": "\\u2028"}])',
    '$string("é")',
    '[$number("05"), $number("-1.5e3"), $number("0x1F")]',
    '$number("+5")',
    '$number(" 5")',
    '$number(".5")',
    '$number("1_0")',
    "[2.5 % 2, -7 % 3, 7 % -3]",
    # booleans in arithmetic are errors
    "true + 1",
    "-true",
    "$abs(true)",
    "$sum([true])",
    "true < 2",
    '$encodeUrlComponent("é😀")',
    # a regular expression's zero-length match after the first: error D1004
    '$replace("ab", /x*/, "-")',
    '$replace("", /x*/, "-")',
    '$replace("ab", /$/, "!")',
    '$contains("ab", /x*/)',
    '$match("ab", /b|$/).match',
    '$match("ba", /b|$/)',
    '$split("a1b", /[0-9]*/)',
    '$replace("a1b2", /[0-9]/, "#", 1)',
    '[$base64encode("é😀a\\u2028"), $base64decode("6T0AYQ=="), $base64decode("YWI")]',
    "$formatBase(255, 16)",
    # a tie keeps its order
    '$sort([{"k": 1, "n": "a"}, {"k": 0, "n": "b"}, {"k": 1, "n": "c"}, {"k": 1, "n": "d"}], '
    "function($l, $r){$l.k < $r.k}).n",
]

# names for the forms of the differential test: astral characters, U+FFFF, private use, whitespace that Python
# and JavaScript's \s disagree on, non-ASCII text, quotes; bools and the other types
VALUES: list[dict[str, Any]] = [
    {"a": 7, "b": -2.5, "s": "a😀b\uffff", "xs": [3, 1, 2], "d": {"é": 1, "😀": 2}, "v": [True, "x\u2028"]},
    {"a": -3, "b": 0.25, "s": " \ufeff\x1c x\u00a0", "xs": [], "d": {}, "v": True, "t": False},
    {"a": 0, "b": 1.5, "s": "", "xs": [0], "d": {"a": 0}, "v": {"k": [1.5, None]}, "t": True},
    {
        "a": 12,
        "b": -0.75,
        "s": "\U0001d518\ue000ß'\"\\",
        "xs": [5, -5],
        "d": {"\uffff": 3, "b": -1},
        "v": "😀",
    },
    {"a": 1, "b": 2.0, "s": "😀😀a", "xs": [1], "d": {"x": 0}, "v": 2.5, "t": True},
    {"a": -1, "b": -1.0, "s": "\t\u2028b\u3000", "xs": [2, 2], "d": {"\U0001d518": 5}, "v": False},
]
for _names in VALUES:
    _names.setdefault("t", True)


def _missing(why: str) -> None:
    """CI must run these (its test command installs jsonata-js); a developer's run may skip."""
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="module")
def package() -> Path:
    found = jsonata_js()
    if found is None:
        _missing("Node.js or the npm package jsonata is missing: bash scripts/test.sh installs it")
    assert found is not None
    return found


def _offline(text: str) -> tuple[bool, Any]:
    try:
        with faithful():
            return True, evaluate(text)
    except Exception as exc:  # an error is a result here
        return False, str(exc)


def test_the_package_is_the_version_step_functions_implements(package: Path) -> None:
    version = json.loads((package / "package.json").read_text())["version"]
    if version != "2.0.6":
        _missing(f"jsonata {version} is installed, Step Functions implements 2.0.6: bash scripts/test.sh")


def test_offline_evaluator_agrees_with_jsonata_js(package: Path) -> None:
    js = eval_jsonata_js(EVALUATOR_CASES, package)
    wrong = []
    for text, (js_ok, js_value) in zip(EVALUATOR_CASES, js, strict=True):
        ok, value = _offline(text)
        if ok != js_ok or (ok and json.dumps(value, sort_keys=True) != json.dumps(js_value, sort_keys=True)):
            wrong.append(f"{text}: jsonata-js {js_value!r}, offline {value!r}")
    assert not wrong, "\n".join(wrong)


def test_lowering_gives_cpythons_values_on_jsonata_js(package: Path) -> None:
    cases: list[tuple[str, dict[str, Any], bool, Any, str]] = []
    for form in FORMS:
        for names in VALUES:
            raised, expected = python_result(form, names)
            text, _ = lower_expression(form, names, ANNOTATIONS)
            cases.append((form, names, raised, expected, with_names(text, names)))
    js = eval_jsonata_js([c[4] for c in cases], package)
    wrong = []
    for (form, names, raised, expected, text), (js_ok, js_value) in zip(cases, js, strict=True):
        if raised:
            if js_ok or marked_error(js_value) != raised_as(expected):
                wrong.append(f"{form} with {names}: python raised {expected!r}, jsonata-js gave {js_value!r}")
        elif not js_ok or not same(js_value, expected):
            wrong.append(f"{form} with {names}: python {expected!r}, jsonata-js {js_value!r}")
        # and the offline evaluator agrees with jsonata-js
        ok, value = _offline(text)
        if ok != js_ok or (ok and not same(value, js_value)) or (not ok and not _same_error(value, js_value)):
            wrong.append(f"{form} with {names}: jsonata-js {js_value!r}, offline {value!r}")
    assert not wrong, "\n".join(wrong[:20]) + f"\n({len(wrong)} in all)"


def _same_error(offline: str, js: str) -> bool:
    """The two evaluators raise the same Python exception, or neither raises one."""
    return marked_error(offline) == marked_error(js)


def test_python_exceptions_raised_on_jsonata_js(package: Path) -> None:
    """The exceptions and conversions of tests/aws/test_expression_errors.py, on jsonata-js: the marker
    (base64 of the exception's JSON) must carry CPython's type and message there too, whatever characters it
    holds."""
    names, cases = test_expression_errors.NAMES, test_expression_errors.CASES
    annotations = test_expression_errors.ANNOTATIONS
    texts = [with_names(lower_expression(e, names, annotations)[0], names) for e in cases]
    wrong = []
    for expr, (ok, value) in zip(cases, eval_jsonata_js(texts, package), strict=True):
        expected = test_expression_errors.python_exception(expr)
        if ok or marked_error(value) != expected:
            wrong.append(f"{expr}: python raises {expected}, jsonata-js gave {value!r}")
    conversions = test_expression_errors.CONVERSIONS
    texts = [with_names(lower_expression(e, names, annotations)[0], names) for e, _ in conversions]
    for (expr, want), (ok, value) in zip(conversions, eval_jsonata_js(texts, package), strict=True):
        if not ok or value != want:
            wrong.append(f"{expr}: python {want!r}, jsonata-js {value!r}")
    assert not wrong, "\n".join(wrong)


def test_state_machine_reads_the_marker_on_jsonata_js(package: Path) -> None:
    """The state machine's own parse of the marker (asl.MARKED_ERROR: $base64decode, then $parse) gives back
    the exception's type and message on jsonata-js, non-ASCII and astral characters included."""
    from portaflow.backends.aws.lower.asl import MARKED_ERROR

    names = {"d": {"é\U0001f600\u2028'": 1}, "k": 'ü\U0001d518\x00"'}
    text, _ = lower_expression("d[k]", names)
    [(ok, cause)] = eval_jsonata_js([with_names(text, names)], package)
    assert not ok
    wrapped = f"An error occurred. The JSONata expression threw: {cause}"
    read = f'($c := {json.dumps(wrapped)}; $e := "States.QueryEvaluationError"; {MARKED_ERROR})'
    [(ok, error)] = eval_jsonata_js([read], package)
    assert ok and error == {"type": "KeyError", "message": repr(names["k"])}, error
