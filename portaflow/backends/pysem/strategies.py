"""Hypothesis strategies for differential tests of an expression lowering: random JSON values of each
parameter's type, and random expressions (arithmetic trees with non-zero divisors of either sign, plus every
form of :mod:`.forms`). Needs hypothesis (the test extra)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .forms import FORMS

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
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


def environments() -> st.SearchStrategy[dict[str, Any]]:
    """Values of the parameters of forms.ANNOTATIONS, and ``v`` of any JSON type."""
    return st.fixed_dictionaries(
        {
            "a": ints,
            "b": floats,
            "s": text,
            "xs": st.lists(ints, max_size=5),
            "d": st.dictionaries(text, ints, max_size=3),
            "v": values,
            "t": st.booleans(),
        }
    )


def num_expr(draw: Any, depth: int) -> str:
    if depth == 0:
        # t is a bool: Python's bools are the ints 0 and 1 in arithmetic
        return str(
            draw(st.sampled_from(["a", "b", "3", "-2", "0.5", "len(s)", "len(xs)", "t", "True", "(a > 0)"]))
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
    return str(draw(st.sampled_from(forms)))
