"""Shared test vectors: every form of :mod:`.forms` over fixed environments chosen to hit the edge of each
rule, with CPython's result. A backend runs them through its lowering and its evaluator deterministically
(the random differential test then searches around them).

Each environment stresses something a target language does differently: signs of ``//`` and ``%`` with
negative operands, empty containers (truthiness), astral characters and U+FFFF (code points vs UTF-16),
whitespace JavaScript's ``\\s`` disagrees on, a bool where a number is expected, binary fractions that
round as ties, nested values of a run-time type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .forms import FORMS
from .oracle import python_result

ENVIRONMENTS: list[dict[str, Any]] = [
    {"a": -7, "b": -2.5, "s": "", "xs": [], "d": {}, "v": None, "t": False},
    {"a": 7, "b": 0.25, "s": "a\U0001f600b", "xs": [3, -4, 0], "d": {"a": 1, "b": 0},
     "v": [1, "x"], "t": True},
    {"a": 0, "b": 2.5, "s": " \u00a0ab\ufeff\x1c", "xs": [-1], "d": {"\uffff": 2},
     "v": {"k": [True]}, "t": True},
    {"a": 50, "b": -0.75, "s": "\uffff\U0001d518\ue000", "xs": [5, 5, 2, 8], "d": {"z": -3},
     "v": 1.5, "t": False},
    {"a": -1, "b": 1.0, "s": "AbC'\"\\", "xs": [0, 0], "d": {"a": 0}, "v": "text", "t": True},
]  # fmt: skip

# Python's arithmetic and comparison rules on their own, over every environment
ARITHMETIC = [
    "[a // 3, a % 3, a // -3, a % -3, -a // 3, -a % 3]",
    "[b // 2, b % 2, b // -2, b % -2]",
    "[a / 4, a * b, a ** 2, 2 ** -1, -a, +b]",
    "[1 < a <= 10, a < b < a + 1, a == b == a, not a, not xs, not d, not s]",
    "[xs[-1:], xs[1:-1], s[-2:], xs[:-1], s[1:], xs[-3:-1], xs[-1] if xs else s[-1:]]",
    "[a and b, a or s, xs and d, s or xs, v and a, v or t]",
    # str() of floats below 1e-4 and of 16-17 significant digits at extreme magnitudes differs on AWS
    # (docs/dsl.md, "Target differences"): not here until the lowering gives Python's repr
    "[str(b), str(b * 10), str(1e16), str(0.1 + 0.2), str(-b), str(a / 3), str(b * 1e-3)]",
    "[f'{b:.1f}', f'{a:,}', f'{b * 1000:,.2f}', f'{s!r}', f'{a:d}', f'{xs!r}', f'{d}']",
]


@dataclass(frozen=True)
class Vector:
    expr: str
    names: dict[str, Any]
    raised: bool  # Python raised: ``expected`` is the exception
    expected: Any


def vectors(forms: list[str] | None = None) -> list[Vector]:
    """Every (form, environment) pair with CPython's result."""
    out = []
    for expr in forms if forms is not None else [*ARITHMETIC, *FORMS]:
        for env in ENVIRONMENTS:
            raised, expected = python_result(expr, env)
            out.append(Vector(expr, env, raised, expected))
    return out
