"""Step calls inside expressions run as statements just before theirs, when that is Python's order
(frontend/hoisting.py); elsewhere PFC023 says what Python evaluates first, or that the call runs only on some
paths."""

from __future__ import annotations

import pytest

from portaflow.compiler import compile_source, ir

HEAD = (
    "from portaflow import Context, step, workflow\n\n\n"
    "@step\ndef fetch(q: str) -> list:\n    return []\n\n\n"
    "@step\ndef ask(q: str) -> str:\n    return q\n\n\n"
)


def lowered(lines: str) -> tuple[ir.Stmt, ...]:
    src = (
        HEAD
        + "@workflow\ndef wf(ctx: Context, q: str, d: dict, c: bool):\n"
        + "".join(f"    {x}\n" for x in lines.split("\n"))
    )
    res = compile_source(src, "wf.py")
    assert res.program is not None and not res.errors, [d.message for d in res.errors]
    return res.program.workflows["wf"].body


def refusal(lines: str) -> str:
    src = (
        HEAD
        + "@workflow\ndef wf(ctx: Context, q: str, d: dict, c: bool):\n"
        + "".join(f"    {x}\n" for x in lines.split("\n"))
    )
    errors = compile_source(src, "wf.py").errors
    assert [e.code for e in errors] == ["PFC023"], [e.message for e in errors]
    return errors[0].message


def test_a_loops_iterable_is_called_once_before_the_loop() -> None:
    call, loop, _ = lowered("for doc in fetch(q):\n    pass\nreturn 1")
    assert isinstance(call, ir.StepCall) and call.step.endswith("fetch")
    assert isinstance(call.target, ir.NameTarget) and isinstance(loop, ir.For)
    assert loop.iter == ir.Name(call.target.id, loop.iter.ty)


def test_a_while_test_is_asked_before_every_iteration() -> None:
    loop, _ = lowered("while ask(q):\n    q = q[1:]\nreturn q")
    assert isinstance(loop, ir.While) and loop.test == ir.Const(True, "bool")
    call, stop, *body = loop.body
    assert isinstance(call, ir.StepCall) and isinstance(stop, ir.If) and stop.body == (ir.Break(stop.loc),)
    assert len(body) == 1 and isinstance(body[0], ir.Assign)


def test_arguments_and_operands_run_in_pythons_order() -> None:
    body = lowered('x = ask(ask(q)) + ask("b")\nreturn x')
    calls = [s for s in body if isinstance(s, ir.StepCall)]
    assert [dict(c.args)["q"].kind for c in calls] == ["name", "name", "const"]  # inner, outer, then "b"
    inner, outer, _ = calls
    # typed by the step's return annotation, as a variable assigned its result is
    assert dict(outer.args)["q"] == ir.Name(inner.target.id, "str")  # type: ignore[union-attr]


def test_an_elif_test_is_asked_only_when_the_if_test_was_false() -> None:
    (branch, _) = lowered("if c:\n    x = 1\nelif ask(q):\n    x = 2\nelse:\n    x = 3\nreturn x")
    assert isinstance(branch, ir.If) and not any(isinstance(s, ir.StepCall) for s in branch.body)
    call, inner = branch.orelse
    assert isinstance(call, ir.StepCall) and isinstance(inner, ir.If)


def test_calls_that_cannot_raise_may_come_first() -> None:
    """str()/bool() of anything, len() of a local list/dict/str, a method without arguments of a str."""
    call, assign, _ = lowered("x = [q.strip(), len(d), str(c), bool(d), ask(q)]\nreturn x")
    assert isinstance(call, ir.StepCall) and isinstance(assign, ir.Assign)


def test_what_may_raise_before_a_call_is_evaluated_into_a_temporary_first() -> None:
    """Python's order: `d["k"]` (a KeyError skips the step), then the step, then the addition."""
    first, call, add, _ = lowered('x = d["k"] + ask(q)\nreturn x')
    assert isinstance(first, ir.Assign) and isinstance(first.target, ir.NameTarget)
    assert isinstance(first.value, ir.Subscript)
    assert isinstance(call, ir.StepCall)
    assert isinstance(add, ir.Assign) and isinstance(add.value, ir.BinOp)
    assert add.value.left == ir.Name(first.target.id, add.value.left.ty)


def test_operands_at_every_level_before_a_call_are_evaluated_first_in_order() -> None:
    body = lowered('x = [int(q), {"a": d["a"], "b": ask(q)}]\nreturn x')
    kinds = [type(s).__name__ for s in body]
    assert kinds == ["Assign", "Assign", "StepCall", "Assign", "Return"]  # int(q), d["a"], ask(q), x


@pytest.mark.parametrize(
    ("line", "first"),
    [
        # the format runs before the call: no temporary holds it
        ('x = f"{d["k"]:>5}{ask(q)}"', '{d["k"]:>5}'),
        ("x = d.get(q).strip(ask(q))", "d.get(q).strip"),  # looking up a method of a value of unknown type
        ('d["n"] += len(ask(q))', None),
    ],
)
def test_a_call_after_something_that_may_raise_is_refused_naming_it(line: str, first: str | None) -> None:
    message = refusal(line + "\nreturn 1")
    if first is not None:
        assert message.startswith(f"Python evaluates `{first}` before this call, and that may raise")


@pytest.mark.parametrize(
    "line",
    [
        "x = c and ask(q)",
        "x = [ask(q) if c else None]",
        "x = [ask(s) for s in d]",
        "x = sorted(d, key=lambda k: ask(k))",
    ],
)
def test_a_call_on_some_paths_only_is_refused(line: str) -> None:
    assert refusal(line + "\nreturn 1").startswith("this call runs only on some paths of the expression")


def test_a_while_test_of_a_loop_with_else_is_refused() -> None:
    refusal("while ask(q):\n    q = q[1:]\nelse:\n    q = 'done'\nreturn q")


def test_what_was_hoisted_before_a_comprehension_is_kept() -> None:
    """A comprehension ends hoisting for the rest of its statement; the calls hoisted before it still run."""
    body = lowered("x = [ask(q), ctx.now().timestamp(), [s for s in d]]\nreturn x")
    call, now, assign, _ = body
    assert isinstance(call, ir.StepCall) and isinstance(now, ir.Primitive) and isinstance(assign, ir.Assign)


def test_a_statement_of_a_conditional_expression_is_the_if_it_means() -> None:
    (branch, _) = lowered('x = ask(q) if c else "later"\nreturn x')
    assert isinstance(branch, ir.If)
    (call,) = branch.body  # the step's result bound to x at once
    assert isinstance(call, ir.StepCall) and call.target == ir.NameTarget("x")
    (other,) = branch.orelse
    assert isinstance(other, ir.Assign) and other.value == ir.Const("later", "str")
