"""The constructs of issue 11 that compile (step slices, reversed, loop else, isinstance...), and where a
target cannot give Python's answer, its refusal: the code, the line and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaflow.backends import get
from portaflow.compiler import compile_source, ir
from portaflow.compiler.pipeline import compile_for

HEAD = "from portaflow import Context, step, workflow\n\n\n@step\ndef fetch() -> dict:\n    return {}\n\n\n"


def body(lines: str, params: str = "") -> str:
    indented = "".join(f"    {x}\n" for x in lines.split("\n"))
    return HEAD + f"@workflow\ndef wf(ctx: Context{params}):\n" + indented


def errors(tmp_path: Path, src: str, target: str) -> list[str]:
    path = tmp_path / "wf.py"
    path.write_text(src)
    return [f"{d.code} {d.message}" for d in compile_for(path, "wf", get(target)).errors]


def returned(src: str) -> ir.Expr:
    res = compile_source(src, "wf.py")
    assert res.program is not None and not res.errors, [d.message for d in res.errors]
    ret = res.program.workflows["wf"].body[-1]
    assert isinstance(ret, ir.Return)
    return ret.value


def test_a_slice_with_a_step_is_a_slice_node_with_its_step() -> None:
    got = returned(body("return xs[1::-2]", ", xs: list"))
    assert isinstance(got, ir.Slice) and got.upper is None
    assert got.lower == ir.Const(1, "int") and got.step == ir.Const(-2, "int") and got.ty == "list"
    assert "step" not in ir.to_json(returned(body("return xs[1:]", ", xs: list")))  # the IR JSON of before


def test_reversed_is_a_call_of_its_catalogue_row() -> None:
    got = returned(body("return list(reversed(xs))", ", xs: list"))
    assert isinstance(got, ir.Call) and isinstance(got.args[0], ir.Call) and got.args[0].func == "reversed"


def test_for_else_runs_its_else_under_a_flag_set_before_each_break_of_that_loop() -> None:
    src = body(
        "for x in xs:\n    for y in xs:\n        break\n    if x:\n        break\n"
        "else:\n    return 1\nreturn 2",
        ", xs: list",
    )
    res = compile_source(src, "wf.py")
    assert res.program is not None and not res.errors
    unset, loop, test, _ = res.program.workflows["wf"].body
    assert isinstance(unset, ir.Assign) and unset.value == ir.Const(False, "bool")
    assert isinstance(loop, ir.For) and isinstance(test, ir.If)
    inner, branch = loop.body
    assert isinstance(inner, ir.For) and inner.body == (ir.Break(inner.body[0].loc),)  # the inner loop's own
    assert isinstance(branch, ir.If) and [type(s) for s in branch.body] == [ir.Assign, ir.Break]


def test_a_loop_without_break_runs_its_else_always() -> None:
    res = compile_source(body("i = 0\nwhile i < 3:\n    i += 1\nelse:\n    i = 10\nreturn i"), "wf.py")
    assert res.program is not None and not res.errors
    assert [type(s) for s in res.program.workflows["wf"].body] == [ir.Assign, ir.While, ir.Assign, ir.Return]


@pytest.mark.parametrize("target", ["azure", "aws", "cloudflare"])
def test_isinstance_over_the_json_types_compiles_on_every_target(tmp_path: Path, target: str) -> None:
    src = body(
        "p = fetch()\nreturn [isinstance(p, dict), isinstance(p, (int, float)), isinstance(p, (str, list)), "
        "isinstance(p, bool), isinstance(n, int), isinstance(r, float), isinstance(p, tuple)]",
        ", n: int, r: float",
    )
    assert errors(tmp_path, src, target) == []


@pytest.mark.parametrize(("target", "code"), [("aws", "PFC040"), ("cloudflare", "PFC060")])
def test_isinstance_of_int_or_float_alone_of_a_value_typed_at_run_time_is_refused(
    tmp_path: Path, target: str, code: str
) -> None:
    for cls in ("int", "float"):
        (got,) = errors(tmp_path, body(f"p = fetch()\nreturn isinstance(p['n'], {cls})"), target)
        assert got.startswith(f"{code} ") and f"isinstance(x, {cls})" in got and "2.0" in got
    assert errors(tmp_path, body("p = fetch()\nreturn isinstance(p['n'], int)"), "azure") == []


@pytest.mark.parametrize(("target", "code"), [("aws", "PFC040"), ("cloudflare", "PFC060")])
def test_isinstance_of_list_or_tuple_in_a_module_that_keeps_a_tuple_is_refused(
    tmp_path: Path, target: str, code: str
) -> None:
    src = body("pair = (1, 2)\np = fetch()\nreturn [isinstance(p, list), pair]")
    (got,) = errors(tmp_path, src, target)
    assert got.startswith(f"{code} ") and "cannot tell a tuple from a list" in got and "(line 11)" in got
    assert errors(tmp_path, src, "azure") == []
    unpacked = body(
        "a, b = 1, 2\nk, _, v = 'a:b'.partition(':')\nfor i, x in enumerate([a]):\n    b = x\np = fetch()\n"
        "return [isinstance(p, list), isinstance(p, tuple), dict(zip([k], [v]))]"
    )
    assert errors(tmp_path, unpacked, target) == []


def test_isinstance_of_anything_but_the_json_classes_is_refused_with_what_to_write() -> None:
    for spec in ("type(None)", "set", "MyClass", "(int, bytes)"):
        res = compile_source(body(f"return isinstance(x, {spec})", ", x"), "wf.py")
        assert [d.code for d in res.errors] == ["PFC021"], spec
        assert "isinstance(x, dict)" in (res.errors[0].hint or "")
    res = compile_source(body("return isinstance(x, type(None))", ", x"), "wf.py")
    assert "None's class" in res.errors[0].message and "x is None" in (res.errors[0].hint or "")


def test_reversed_kept_as_a_value_is_refused_on_cloudflare_only(tmp_path: Path) -> None:
    src = body("r = reversed(xs)\nreturn list(r)", ", xs: list")
    (got,) = errors(tmp_path, src, "cloudflare")
    assert got.startswith("PFC060") and "reversed()" in got
    ok = body(
        "return [list(reversed(range(3))), list(reversed(d.keys())), [x for x in reversed(xs)]]",
        ", xs: list, d: dict",
    )
    assert errors(tmp_path, ok, "cloudflare") == []


def test_unpacking_in_displays_lowers_to_list_and_dict_calls() -> None:
    got = returned(body("return [a, *xs, *s]", ", a: int, xs: list, s: str"))
    assert isinstance(got, ir.BinOp) and got.ty == "list"
    assert got.right == ir.Call("list", (ir.Name("s", "str"),), (), "list")
    merged = returned(body("return {**d, 'k': 1}", ", d: dict"))
    assert isinstance(merged, ir.Call) and merged.func == "dict" and merged.ty == "dict"


def test_unpacking_a_value_typed_only_at_run_time_is_refused_with_what_to_write() -> None:
    for expr, hint in [("[*x]", "[*list(x)]"), ("(1, *x)", "[*list(x)]"), ("{**x, 'k': 1}", "{**dict(x)}")]:
        res = compile_source(body(f"return {expr}", ", x"), "wf.py")
        assert [d.code for d in res.errors] == ["PFC021"], expr
        assert "known only at run time" in res.errors[0].message and hint in (res.errors[0].hint or "")
    assert not compile_source(body("return [*list(x), *dict(y)]", ", x, y"), "wf.py").errors


def set_errors(lines: str) -> list[str]:
    res = compile_source(body(lines, ", xs: list"), "wf.py")
    return [d.message for d in res.errors]


def test_a_set_compiles_where_its_order_cannot_show() -> None:
    ok = (
        "seen = set()\nfor x in xs:\n    if x in seen:\n        continue\n    seen.add(x)\n"
        "if not seen:\n    pass\nu = {*seen, *{1, 2}}\n"
        "return [len(seen), sorted(seen), 1 not in {x for x in xs}, bool(u), sorted(set(xs), reverse=True)]"
    )
    assert set_errors(ok) == []


@pytest.mark.parametrize(
    ("lines", "what"),
    [
        ("s = set(xs)\nfor x in s:\n    pass\nreturn 1", "iterating a set"),
        ("return [x for x in {1, 2}]", "iterating a set"),
        ("s = set(xs)\nreturn list(s)", "this use of a set"),
        ("s = set(xs)\nreturn [*s]", "this use of a set"),
        ("return {1} == {1}", "this use of a set"),
        ("return {1, 2}", "this use of a set"),
        ("s = set(xs)\nt = s\nreturn len(t)", "this use of a set"),
        ("s = set(xs) if xs else []\nreturn len(s)", "this use of a set"),
        ("s = set(xs)\ns = []\nreturn s", "this use of a set"),
    ],
)
def test_a_set_where_its_order_would_show_is_refused_saying_to_sort_it(lines: str, what: str) -> None:
    res = compile_source(body(lines, ", xs: list"), "wf.py")
    assert [d.code for d in res.errors] == ["PFC021"], lines
    assert res.errors[0].message.startswith(what) and "sorted(s)" in (res.errors[0].hint or "")


@pytest.mark.parametrize(("target", "code"), [("aws", "PFC040"), ("cloudflare", "PFC060")])
def test_a_set_that_may_hold_tuples_is_refused_where_tuples_are_lists(
    tmp_path: Path, target: str, code: str
) -> None:
    src = body("pairs = {(x, x) for x in xs}\nreturn len(pairs)", ", xs: list")
    (got,) = errors(tmp_path, src, target)
    assert got.startswith(f"{code} ") and "may be tuples" in got and "(line 11)" in got
    assert errors(tmp_path, src, "azure") == []
    strings = body("pairs = {f'{x}:{x}' for x in xs}\nreturn [len(pairs), (1, 2)]", ", xs: list")
    assert errors(tmp_path, strings, target) == []


def test_next_takes_a_generator_expression_and_a_default(tmp_path: Path) -> None:
    src = body(
        "a = next(x for x in xs)\nb = next(reversed(xs), 0)\nreturn next((x for x in xs), None)", ", xs: list"
    )
    assert errors(tmp_path, src, "aws") == [
        "PFC021 next() without a default raises StopIteration when nothing matches, which no target has",
        "PFC021 next() takes a generator expression here",
    ]


def test_next_refuses_a_default_and_a_first_iterable_that_may_both_raise(tmp_path: Path) -> None:
    src = body('return next((x for x in d["xs"]), d["fallback"])', ", d: dict")
    assert errors(tmp_path, src, "azure") == [
        "PFC021 next()'s default and the generator's first iterable may both raise here"
    ]
