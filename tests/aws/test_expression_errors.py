"""The Python exception an expression raises on AWS: the lowering's ``$error`` carries the exception's type
and message (``str(e)``) in a marker the state machine parses; both must be CPython's (3.11) for the same
values."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("jsonata")

from portaflow.backends.aws.offline.exprcheck import eval_jsonata, lower_expression, marked_error

NAMES: dict[str, Any] = {
    "d": {"a": 1, "n": None},
    "xs": [1, 2, 3],
    "pair": [1, 2],
    "a": 7,
    "zero": 0,
    "f": 2.5,
    "s": "abc",
    "num": "12",
    "n": None,
    "t": True,
    "u": "é\U0001f600\u2028",
    "ud": {"\U0001f600": 1},
}
ANNOTATIONS = {"f": "float"}

CASES = [
    'd["b"]',
    "d[1]",
    'd["a"]["x"]',
    "xs[10]",
    "xs[-4]",
    'xs["a"]',
    "s[5]",
    's["x"]',
    "n[0]",
    "a[0]",
    "a // zero",
    "a % zero",
    "a / zero",
    "f / zero",
    "f // zero",
    "f % zero",
    "int(s)",
    "int(n)",
    "int('1.5')",
    "float(s)",
    "float(n)",
    "float('1e3x')",
    "len(a)",
    "len(n)",
    "[x for x in a]",
    "list(n)",
    "a + s",
    "s + a",
    "xs + a",
    "n + a",
    "a < s",
    "a > s",
    "s <= a",
    "s >= a",
    "xs < [1, 'x']",
    "min([])",
    "max([])",
    "min(a, s)",
    "max(a, s)",
    "'x' in a",
    "a in n",
    "list(range(1, 5, zero))",
    "list(zip(xs, pair, strict=True))",
    "list(zip(pair, xs, strict=True))",
    "[p for p, q in [xs]]",
    "[p for p, q in [[1]]]",
    "[p for p, q in [a]]",
    # non-ASCII text in the message (the marker is ASCII whatever the message holds)
    'd["\U0001f600"]',
    "ud[u]",
    "int(u)",
    "float(u + '1')",
    "u + a",
    "u - a",
    # bools are ints, other types fail as in Python
    "t + s",
    "s - t",
    "n * a",
    "s * s",
    "xs * f",
    "u * n",
    "-s",
    "+n",
    "abs(s)",
    "round(n)",
    "s / a",
    "n // a",
    "xs % a",
    "n ** 2",
    "xs[t + 5]",
    "d[t]",
    "sum([a, s])",
    "a in s",
    "u.split(s[:0])",
    # Python's syntax of int() and float() text: "_" only between digits
    "int('1__0')",
    "int('_1')",
    "int('1_')",
    "int(' + 1')",
    "float('1._5')",
    "float('.')",
    "float('1e5_')",
]


def python_exception(expr: str) -> tuple[str, str]:
    """(type, message) of the exception ``expr`` raises in CPython over NAMES."""
    try:
        got = eval(expr, {"json": json}, dict(NAMES))
    except Exception as exc:
        return type(exc).__name__, str(exc)
    pytest.fail(f"{expr} does not raise in Python: {got!r}")


@pytest.mark.parametrize("expr", CASES)
def test_aws_raises_the_python_exception(expr: str) -> None:
    expected = python_exception(expr)
    text, _ = lower_expression(expr, NAMES, ANNOTATIONS)
    with pytest.raises(Exception) as info:
        eval_jsonata(text, NAMES)
    assert marked_error(str(info.value)) == expected, f"{expr}\n{text}"


CONVERSIONS: list[tuple[str, Any]] = [
    ("int(' -007 ')", -7),
    ("int('+12')", 12),
    ("float(' 1.5 ')", 1.5),
    ("float('.5')", 0.5),
    ("float('-1.')", -1.0),
    ("float('007.25')", 7.25),
    ("float('1e3')", 1000.0),
    ("float(num)", 12.0),
    ("int('\\u2003+1_000\\x85')", 1000),
    ("int('-0_0')", 0),
    ("float('+1_0.2_5e0_1')", 102.5),
    ("float(' 5. ')", 5.0),
    ("float('-.5E-1')", -0.05),
]


@pytest.mark.parametrize(("expr", "value"), CONVERSIONS)
def test_conversions_that_python_accepts(expr: str, value: Any) -> None:
    assert eval(expr, {}, dict(NAMES)) == value
    text, _ = lower_expression(expr, NAMES, ANNOTATIONS)
    assert eval_jsonata(text, NAMES) == value


def test_the_marker_survives_any_wrapping_and_the_echoed_expression() -> None:
    text, _ = lower_expression('d["b"]', NAMES)
    with pytest.raises(Exception) as info:
        eval_jsonata(text, NAMES)
    # a Cause that quotes the whole expression (its marker text is followed by a quote, not base64) first
    cause = (
        f"An error occurred (entered at the event id #7). The JSONata expression '{text}' threw: {info.value}"
    )
    assert marked_error(cause) == ("KeyError", "'b'")
    assert marked_error(f"The JSONata expression '{text}' returned nothing (undefined).") is None
