"""Format specs on Step Functions: what JSONata cannot give exactly is refused at compile time (PFC040) and
compiles for Azure and Cloudflare; what it lowers is checked against CPython by the shared vectors
(tests/aws/test_expression_differential.py) and here at the edges of the exact range."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("jsonata")

from portaflow.backends import get
from portaflow.backends.aws.offline.exprcheck import eval_jsonata, lower_expression
from portaflow.backends.pysem.forms import ANNOTATIONS, SIGNIFICANT_FORMS
from portaflow.compiler.frontend import compile_source
from portaflow.compiler.pipeline import diagnose

PARAMS = "a: int, b: float, s: str, xs: list, d: dict, t: bool, v"


def diagnostics(expr: str, target: str) -> list[Any]:
    src = "from portaflow import Context, workflow\n\n\n@workflow\n"
    src += f"def w(ctx: Context, {PARAMS}):\n    return {expr}\n"
    return diagnose(compile_source(src, "app.py"), get(target))


@pytest.mark.parametrize(
    "expr",
    [*SIGNIFICANT_FORMS, "f'{b:.16f}'", "f'{v:.20%}'", "f'{b:#}'", "format(a, '.3e')"],
)
def test_a_float_s_significant_digits_are_pfc040_on_aws_and_compile_elsewhere(expr: str) -> None:
    [d] = diagnostics(expr, "aws")
    assert (d.code, d.line) == ("PFC040", 6) and "cannot give Python's digits on Step Functions" in d.message
    assert 'f"{x:.3f}"' in d.hint
    assert diagnostics(expr, "azure") == [] and diagnostics(expr, "cloudflare") == []


@pytest.mark.parametrize(
    "expr", ["f'{a:.20f}'", "f'{s:.3}'", "f'{a:>30,}'", "format(b, '.15f')", "format(v, 'x')"]
)
def test_what_is_exact_compiles_on_aws(expr: str) -> None:
    """An int's f digits are exact at any precision; a str's precision truncates; 15 decimals of a float."""
    assert diagnostics(expr, "aws") == []


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        (1000000000000000.1, ".2f"),  # |x| * 10**n above 2**52: the integer part is split off first
        (4503599627370495.5, ".0f"),  # a tie below 2**52 rounds to the even integer
        (4503599627370497.0, ",.3f"),
        (0.5, ".0f"),
        (1.5, ".0f"),
        (2.5, ".0%"),
        (0.125, ".2f"),
        (-0.0049, "z.2f"),
        (-0.0049, ".2f"),
        (123.456, "015,.2f"),
        (9.999999999999999e14, "_.15f"),
    ],
)
def test_fixed_point_digits_are_the_exact_binary_value_rounded_half_to_even(value: float, spec: str) -> None:
    text, _ = lower_expression(f"format(b, {spec!r})", {"b": value}, ANNOTATIONS)
    assert eval_jsonata(text, {"b": value}) == format(value, spec)


@pytest.mark.parametrize("expr", ["f'{a:c}'", "format(v, '>4c')", "f'{t:05c}'"])
def test_the_type_c_is_pfc040_on_aws_and_compiles_elsewhere(expr: str) -> None:
    """A character from its code point: JSONata has no chr (s178 runs it on the other targets)."""
    [d] = diagnostics(expr, "aws")
    assert d.code == "PFC040" and "the type c" in d.message and "@step" in d.hint
    assert diagnostics(expr, "azure") == [] and diagnostics(expr, "cloudflare") == []
