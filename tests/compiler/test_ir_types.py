"""Static types: the rules (compiler/ir/types.py) agree with CPython, and a workflow's variables are typed
by one inference pass over the IR, to a fixed point, whatever order their assignments come in."""

from __future__ import annotations

import itertools
import operator
from typing import Any

import pytest

from portaflow.compiler import compile_source, ir
from portaflow.compiler.ir import types

HEAD = "from portaflow import workflow, step, Context\n\n"

SAMPLES: dict[ir.Type, list[Any]] = {
    "int": [0, 3, -7],
    "float": [0.5, -2.0],
    "bool": [True, False],
    "str": ["ab", ""],
    "list": [[1], []],
}
OPERATORS: dict[ir.BinOpName, Any] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
PY_TYPES = {int: "int", float: "float", bool: "bool", str: "str", list: "list"}


@pytest.mark.parametrize("op", OPERATORS)
def test_a_binary_operators_static_type_is_the_type_cpython_gives_every_value(op: ir.BinOpName) -> None:
    for (lt, lefts), (rt, rights) in itertools.product(SAMPLES.items(), repeat=2):
        claimed = types.binop_type(op, lt, rt)
        for a, b in itertools.product(lefts, rights):
            try:
                value = OPERATORS[op](a, b)
            except (TypeError, ZeroDivisionError, ValueError):
                continue
            if isinstance(value, complex):
                continue
            if claimed != "any":
                assert PY_TYPES.get(type(value)) == claimed, (a, op, b)
    # an operand of type "any" may be a value of any type: a claim must hold for each of them
    for (lt, lefts), (_, rights) in itertools.product(SAMPLES.items(), repeat=2):
        for claimed, pairs in (
            (types.binop_type(op, lt, "any"), itertools.product(lefts, rights)),
            (types.binop_type(op, "any", lt), itertools.product(rights, lefts)),
        ):
            for a, b in pairs:
                try:
                    value = OPERATORS[op](a, b)
                except (TypeError, ZeroDivisionError, ValueError):
                    continue
                if isinstance(value, complex):
                    continue  # (-7) ** 0.5: no JSON value, outside the IR's types (docs/dsl.md, "**")
                if claimed != "any":
                    assert PY_TYPES.get(type(value)) == claimed, (a, op, b)


def test_unary_subscript_slice_and_operand_choice_rules() -> None:
    assert types.unary_type("not", "list") == "bool"
    assert [types.unary_type("-", t) for t in ("int", "bool", "float", "str")] == [
        "int",
        "int",
        "float",
        "any",
    ]
    assert types.subscript_type("str") == "str" and types.subscript_type("list") == "any"
    assert types.slice_type("list") == "list" and types.slice_type("dict") == "any"
    assert types.same_or_any(["int", "int"]) == "int" and types.same_or_any(["int", "str"]) == "any"


def _workflow(src: str) -> ir.WorkflowDef:
    res = compile_source(HEAD + src, "wf.py")
    assert res.program is not None, [str(d) for d in res.diagnostics]
    return res.program.workflows[res.program.entry]


def test_a_variable_is_typed_by_every_assignment_whatever_their_order() -> None:
    """Each name here gets its type from the one assigned after it: the pass iterates until nothing
    changes (the old frontend re-lowered the body three times, and left e untyped)."""
    res = compile_source(
        HEAD + "@workflow\ndef w(ctx: Context) -> str:\n"
        "    e = d = c = b = {}\n"
        "    for _ in range(2):\n"
        "        e = d\n        d = c\n        c = b\n        b = {'k': 1}\n"
        "    return e.upper()\n",
        "wf.py",
    )
    found = [(d.code, d.message) for d in res.diagnostics]
    assert found == [("PFC024", "method .upper() is not supported on dict")]


def test_joined_types_and_declared_parameters() -> None:
    wf = _workflow(
        "@workflow\ndef w(ctx: Context, n: int, free=None):\n"
        "    s = 'a'\n    s = s + 'b'\n    x = 1\n    x = 'one'\n    free = 2.5\n"
        "    return [s, x, n, free]\n"
    )
    ret = next(s for s in ir.walk_stmts(wf.body) if isinstance(s, ir.Return))
    assert isinstance(ret.value, ir.ListExpr)
    # free: its first value is the run's input, whatever the body assigns it later
    assert [e.ty for e in ret.value.items] == ["str", "any", "int", "any"]


def test_inference_is_an_ir_pass_over_any_body() -> None:
    """The pass needs no source: an IR body and the steps' declared results."""
    body: tuple[ir.Stmt, ...] = (
        ir.Assign(ir.NameTarget("b"), ir.BinOp("+", ir.Name("a"), ir.Const(1, "int")), ir.Loc(1, 1)),
        ir.StepCall("fetch", (), ir.NameTarget("a"), ir.Loc(2, 1)),
        ir.For(ir.NameTarget("ch"), ir.Name("b"), (), ir.Loc(3, 1)),
        ir.Primitive("random", ir.NameTarget("r"), ir.Loc(4, 1)),
    )
    env = types.infer_variables(body, {}, {"fetch": "int"})
    assert env == {"a": "int", "b": "int", "ch": "any", "r": "float"}
    retyped = types.typed(ir.BinOp("/", ir.Name("a"), ir.Name("b")), env)
    assert isinstance(retyped, ir.BinOp) and retyped.ty == "float" and retyped.left.ty == "int"
