"""CPython as the oracle of an expression's result, and the IR of one expression, for differential tests."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portaflow.compiler import ir

# the exceptions a supported expression may raise (the catalogue's may-raise classes)
RAISES: tuple[type[BaseException], ...] = (
    ZeroDivisionError,
    TypeError,
    ValueError,
    IndexError,
    KeyError,
    OverflowError,
)


def python_result(expr: str, names: dict[str, Any]) -> tuple[bool, Any]:
    """(False, the value of ``expr``) or (True, the exception it raised), evaluated by CPython over
    ``names`` with ``json`` and ``timedelta`` imported, as a workflow sees them."""
    try:
        expected = eval(expr, {"json": json, "timedelta": timedelta}, dict(names))
    except RAISES as exc:
        return True, exc
    if isinstance(expected, str):
        # a known, documented limitation (docs/dsl.md): JSON and JSONata have no negative zero
        expected = re.sub(r"(?<![\d.])-0\.0(?![\d])", "0.0", expected)
    return False, expected


def raised_as(exc: BaseException) -> tuple[str, str]:
    """(type, message) of a Python exception, as a target's error envelope must carry them."""
    return type(exc).__name__, str(exc)


def same(got: Any, expected: Any) -> bool:
    """The JSON value ``got`` is Python's ``expected`` (1.0 and 1 are one JSON number)."""
    return (
        json.dumps(got, sort_keys=True) == json.dumps(json.loads(json.dumps(expected)), sort_keys=True)
        or got == expected
    )


def expression_ir(expr: str, names: dict[str, Any], annotations: dict[str, str] | None = None) -> ir.Expr:
    """The IR of ``expr`` over workflow parameters ``names``, annotated as in ``annotations`` (a parameter
    without one has a type known only at run time): what a backend's expression lowering is given."""
    from portaflow.compiler import ir
    from portaflow.compiler.frontend import compile_source

    ann = annotations or {}
    params = "".join(f", {n}: {ann[n]}" if n in ann else f", {n}" for n in names)
    src = (
        "import json\nfrom datetime import timedelta\n\nfrom portaflow import workflow\n\n"
        f"@workflow\ndef w(ctx{params}):\n    return {expr}\n"
    )
    res = compile_source(src, "<expr>")
    if res.errors or res.program is None:
        raise ValueError("; ".join(d.message for d in res.errors))
    ret = res.program.workflows["w"].body[-1]
    assert isinstance(ret, ir.Return) and ret.value is not None
    return ret.value
