"""Differential testing of the expression lowering: random expressions of the supported subset over random
JSON values, evaluated by CPython and by the generated JSONata (jsonata-python). No mismatch is allowed."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("jsonata")

from portaflow.backends.aws.exprcheck import eval_jsonata, lower_expression, marked_error

EXAMPLES = int(os.environ.get("PORTAFLOW_DIFF_EXAMPLES", "2000"))
ints = st.integers(min_value=-50, max_value=50)
floats = st.integers(min_value=-40, max_value=40).map(lambda n: n / 4)  # exact binary fractions
# astral characters (two UTF-16 code units in JavaScript, one code point in Python), U+FFFF (orders below an
# astral character in JavaScript), whitespace on which Python and JavaScript's \s disagree, non-ASCII text
ASTRAL = "\U0001f600\U0001d518"
text = st.text(
    alphabet="ab c'\"\\xyzAB" + ASTRAL + "\uffff\ue000\u00e9\u00df\u00a0\ufeff\x1c\u2028\t", max_size=6
)
# untyped values: a float whose value is integral prints as an int on AWS (JSON numbers, docs/dsl.md)
fractions = st.integers(min_value=-40, max_value=40).filter(lambda n: n % 4).map(lambda n: n / 4)
scalars = st.one_of(st.none(), st.booleans(), ints, fractions, text)
ANNOTATIONS = {"a": "int", "b": "float", "s": "str", "xs": "list", "d": "dict", "t": "bool"}
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


# expressions over a: int, b: float, s: str, xs: list, d: dict, t: bool and v (of a type known at run time)
FORMS = [
    "[x * 2 for x in xs if x % 2 == 0]",
    "{k: v for k, v in d.items() if v}",
    "f'{a}-{s}-{xs!r}'",
    "s.upper() + s.strip()",
    "[s.strip('a'), s.lstrip('ab '), s.rstrip(s[:2]), s.strip(''), s.strip(None), 'xaxbx'.strip(s)]",
    "s.split()",
    "' '.join([s, s])",
    "s.startswith('a')",
    "s.replace('a', 'b')",
    "xs[1:]",
    "xs[-1] if xs else None",
    "sorted(xs)",
    "min(xs) if xs else 0",
    "sum(xs)",
    "len(d)",
    "d.get('a', 0)",
    "list(d.keys())",
    "'a' in s",
    "a in xs",
    "xs + [a]",
    "[xs, [a]]",
    "str(v)",
    "bool(v)",
    "v or 0",
    "[v, v]",
    "{'k': v}",
    "v == v",
    "v is None",
    "round(b)",
    "abs(a)",
    "max(a, b)",
    "list(enumerate(xs))",
    "json.dumps(v)",
    "json.loads(json.dumps(d))",
    "f'{b:.2f}|{a:,}|{a:d}|{b:,.1f}'",
    "f'{b:,}|{b * 1000:,}|{b * 123456.5:,}|{-b * 1e6:,}|{a * 100000:,}|{a / 4:,}'",
    "list(zip(xs, xs))",
    "[i for i in range(a % 5)]",
    "str(d)",
    "s * (a % 3)",
    "sorted([xs, [a], [b, a]])",
    "sorted(d.items(), reverse=True)",
    # integers of 15 and 16 digits print every digit (JavaScript's $string keeps 15 significant ones)
    "[str(a * 123456789012345), f'{a * 123456789012345:d}', json.dumps([a * 100000000000001])]",
    "[str(len(s) * 10**15), f'{len(xs) * 1000000000000001}']",
    # decimal ties that are not binary ties: Python rounds the exact binary value (2.675 is 2.67499...)
    "[f'{2.675:.2f}', f'{0.35:.1f}', f'{-0.45:,.1f}', round(1.005, 2), round(0.125, 2), round(b * 1.1, 1)]",
    "[f'{b / 3:.3f}', round(a / 7, 4), f'{a * 0.015:.2f}', round(2.5), round(a + 0.5)]",
    # ties keep their order (a stable sort), with a key and reversed
    "[sorted(xs + [a, a], key=lambda x: 0), sorted([[1, 'x'], [0, 'y'], [1, 'z']], key=lambda p: p[0])]",
    "sorted([[1, 'x'], [0, 'y'], [1, 'z']], key=lambda p: p[0], reverse=True)",
    "min([[a, s], [b, s]])",
    "max([xs, [a]], key=lambda p: [len(p), p])",
    "[xs < [a, b], xs >= [a], [a] <= xs]",
    "v < v",
    "[v] < [v, a]",
    # strings are sequences of code points (JavaScript: UTF-16 code units)
    "[len(s), list(s), [c for c in s], s[-1:], s[1:3], s[:a % 4]]",
    "s[a % 3] if len(s) > 2 else s",
    "[sorted(s), sorted(list(d) + [s, 'x\uffff', 'x\U0001f600'])]",
    "[s < 'a\uffff', s >= '\U0001f600', 'b' < s, max(s) if s else '', min([s, '\ue000'])]",
    "list(enumerate(s))",
    "[s.split('a'), s.split(s[:1]) if s else 0, s.replace(s[:1], '-'), s.replace('', '.')]",
    "[s.strip(), s.split(), s.lstrip(), s.rstrip(), s.startswith(s[-1:]), s.endswith('\U0001f600')]",
    "[json.dumps(s), json.dumps(d), json.dumps([s, {s: v}])]",
    "s.upper() + s.lower()",
    "[int(f' {a} '), int(f'+{a * a}'), float(f' {b} '), float(f'{-b}e1'), float('.5'), float('-5.')]",
    "str(a) in s or s in str(d)",
    # bools in arithmetic (JSONata refuses booleans there)
    "[t + t, t - a, t * b, -t, +t, abs(t), round(t), t / 2, a // (t + 1), a % (t + 1), t ** 2]",
    "[sum([t, t, a]), sum([t], t), sum([], t), max(t, a, b), min([t, False])]",
    "[t * s, s * t, [a] * t, t == 1, t != 1.0, t < 2, t >= b, 1 + t < 2]",
    "[v + 1, v - 1, v * 2, v / 2, -v, v ** 2]",
    "[v < 1, 1 <= v, v == 1, sum([v, 1])]",
    "[int(t), float(t), str(t + 1), f'{t * 2}']",
    "[f'{t:.1f}|{t:d}|{t:,}|{t:,.2f}|{t}', xs[t] if len(xs) > 1 else 0, s[t:], xs[:t]]",
    "[list(range(t)), list(range(t, 3)), list(range(-t, 5, t + 1))]",
]


def num_expr(draw: Any, depth: int) -> str:
    if depth == 0:
        # t is a bool: Python's bools are the ints 0 and 1 in arithmetic
        return draw(
            st.sampled_from(["a", "b", "3", "-2", "0.5", "len(s)", "len(xs)", "t", "True", "(a > 0)"])
        )
    op = draw(st.sampled_from(["+", "-", "*", "//", "%", "/"]))
    left, right = num_expr(draw, depth - 1), num_expr(draw, depth - 1)
    if op in ("//", "%", "/"):  # a non-zero divisor of either sign, keeping the static type
        right = f"({draw(st.sampled_from(['', '-']))}(abs({right}) + 1))"
    return f"({left} {op} {right})"


@st.composite
def expressions(draw: Any) -> str:
    depth = draw(st.integers(min_value=0, max_value=2))
    n = num_expr(draw, depth)
    forms = [
        n,
        f"str({n})",
        f"{n} < {num_expr(draw, 0)} <= b",
        f"not {n}",
        f"a and {n}",
        f"xs or {n}",
        *FORMS,
    ]
    return draw(st.sampled_from(forms))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    expr=expressions(),
    a=ints,
    b=floats,
    s=text,
    xs=st.lists(ints, max_size=5),
    d=st.dictionaries(text, ints, max_size=3),
    v=values,
    t=st.booleans(),
)
def test_jsonata_lowering_agrees_with_cpython(
    expr: str, a: int, b: float, s: str, xs: list[int], d: dict[str, int], v: Any, t: bool
) -> None:
    names = {"a": a, "b": b, "s": s, "xs": xs, "d": d, "v": v, "t": t}
    raised, expected = python_result(expr, names)
    text_, _ = lower_expression(expr, names, ANNOTATIONS)
    if raised:
        # Python raises: the generated code raises the same exception (type and message), which the state
        # machine routes to `except` clauses as locally
        with pytest.raises(Exception) as info:
            got = eval_jsonata(text_, names)
            print(f"{expr} with {names}: python raised {expected!r}, jsonata gave {got!r}")
        assert marked_error(str(info.value)) == raised_as(expected), f"{expr} with {names}\n{text_}"
        return
    got = eval_jsonata(text_, names)
    assert same(got, expected), f"{expr} with {names}: python {expected!r}, jsonata {got!r}\n{text_}"


def python_result(expr: str, names: dict[str, Any]) -> tuple[bool, Any]:
    """(False, value of ``expr``) or (True, the exception it raised)."""
    try:
        expected = eval(expr, {"json": json}, dict(names))
    except (ZeroDivisionError, TypeError, ValueError, IndexError, KeyError) as exc:
        return True, exc
    if isinstance(expected, str):
        # known, documented limitation (docs/dsl.md): JSON and JSONata have no negative zero
        expected = re.sub(r"(?<![\d.])-0\.0(?![\d])", "0.0", expected)
    return False, expected


def raised_as(exc: BaseException) -> tuple[str, str]:
    """(type, message) of a Python exception, as the generated code's error marker carries them."""
    return type(exc).__name__, str(exc)


def same(got: Any, expected: Any) -> bool:
    """The JSON value ``got`` is Python's ``expected`` (1.0 and 1 are one JSON number)."""
    return (
        json.dumps(got, sort_keys=True) == json.dumps(json.loads(json.dumps(expected)), sort_keys=True)
        or got == expected
    )


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.sampled_from([0, 1, 5, 999, 1000, 1_700_000_000_000, 1_714_564_800_123, 4_102_444_799_999]),
        st.integers(min_value=0, max_value=4_102_444_800_000),
    )
)
def test_now_timestamp_and_isoformat_match_python_for_every_millisecond(ms: int) -> None:
    """ctx.now() is $now()'s ISO string on AWS (whole milliseconds): .timestamp() is the float Python's
    datetime gives for that instant, .isoformat() Python's text (``+00:00``, no fraction at .000)."""
    from datetime import UTC, datetime, timedelta

    from portaflow.backends.aws.jsonata import Lowerer
    from portaflow.compiler import ir

    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    iso = eval_jsonata(f"$fromMillis({ms})", {})  # what $now() returns at that instant
    want: dict[str, Any] = {"timestamp": instant.timestamp(), "isoformat": instant.isoformat()}
    methods: list[tuple[str, ir.Type]] = [("timestamp", "float"), ("isoformat", "str")]
    for method, ty in methods:
        low = Lowerer(lambda n: f"${n}")
        call = ir.Call(f"datetime.{method}", (ir.Name("t", "any"),), (), ty)
        got = eval_jsonata(low.finish(low.lower(call)), {"t": iso})
        assert got == want[method], (method, iso, got)  # a JSON number: 0.0 arrives as 0
