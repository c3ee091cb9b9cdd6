"""The Python exception an expression raises on AWS: the lowering's ``$error`` carries the exception's type
and message (``str(e)``) in a marker the state machine parses; both must be CPython's (3.11) for the same
values."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("jsonata")

from portaflow.backends.aws.exprcheck import eval_jsonata, lower_expression, marked_error

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
]


@pytest.mark.parametrize("expr", CASES)
def test_aws_raises_the_python_exception(expr: str) -> None:
    try:
        got = eval(expr, {"json": json}, dict(NAMES))
    except Exception as exc:
        expected = (type(exc).__name__, str(exc))
    else:
        pytest.fail(f"{expr} does not raise in Python: {got!r}")
    text, _ = lower_expression(expr, NAMES, ANNOTATIONS)
    with pytest.raises(Exception) as info:
        eval_jsonata(text, NAMES)
    assert marked_error(str(info.value)) == expected, f"{expr}\n{text}"


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("int(' -007 ')", -7),
        ("int('+12')", 12),
        ("float(' 1.5 ')", 1.5),
        ("float('.5')", 0.5),
        ("float('-1.')", -1.0),
        ("float('007.25')", 7.25),
        ("float('1e3')", 1000.0),
        ("float(num)", 12.0),
    ],
)
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
