"""Diagnostics read like a compiler's: every error in one run, stable codes, caret, a fix; exit codes
0/1/2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portaflow.compiler import compile_file, compile_source, ir
from portaflow.compiler.cli import main
from portaflow.compiler.diagnostics import CODES, render_all

HEAD = "from portaflow import workflow, step, Context, RetryPolicy\n\n"


def codes(src: str) -> list[str]:
    return [d.code for d in compile_source(HEAD + src, "wf.py").diagnostics]


def test_every_error_is_reported_in_one_run_with_position_caret_and_hint() -> None:
    src = (
        "@step(retry=RetryPolicy(max_attempts=N), timeout='3x')\ndef s(x):\n    return x\n\n"
        "@workflow\ndef w(ctx: Context, x: int):\n    y = s(x) + 1\n    z = x | 2\n    return nope\n"
    )
    res = compile_source(HEAD + src, "wf.py")
    assert [d.code for d in res.diagnostics] == ["PFC011", "PFC012", "PFC023", "PFC021", "PFC026"]
    text = render_all(res.diagnostics, res.source)
    assert "wf.py:9:9: PFC023 a step, workflow or ctx call must be a statement of its own" in text
    assert "        y = s(x) + 1\n            ^\n  help: assign it to a variable first" in text
    assert text.endswith("5 errors")


def test_unsupported_constructs_are_refused_with_their_code() -> None:
    wf = "@workflow\ndef w(ctx: Context, x: list):\n    {}\n"
    assert codes(wf.format("with open('f') as f:\n        pass")) == ["PFC020"]
    assert codes(wf.format("print(x)")) == ["PFC022"]
    assert codes(wf.format("y = {1, 2}")) == ["PFC021"]
    assert codes(wf.format("y = x.count(1)")) == ["PFC024"]
    assert codes(wf.format("x.a = 1")) == ["PFC025"]
    assert codes(wf.format("y = ctx.wait_for_event(x)")) == ["PFC030"]
    assert codes(wf.format("break")) == ["PFC035"]
    assert codes(wf.format("pf_x = 1")) == ["PFC036"]
    assert codes("@workflow\ndef w(ctx):\n    return w(ctx)\n") == ["PFC032"]


def test_a_valid_workflow_has_no_diagnostics() -> None:
    src = (
        "@step\ndef s(x: int) -> int:\n    return x\n\n@workflow\ndef w(ctx: Context, x: int = 1):\n"
        "    ys = [s2 for s2 in range(x)]\n    r = s(x)\n    return {'r': r, 'ys': ys}\n"
    )
    res = compile_source(HEAD + src, "ok.py")
    assert res.diagnostics == [] and res.program is not None


def test_every_code_is_documented_with_a_bad_and_a_good_example() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "compile-errors.md").read_text()
    for code in CODES:
        section = re.search(rf"## {code}\b(.*?)(?=\n## |\Z)", doc, re.S)
        assert section is not None, f"{code} not documented"
        assert "Bad" in section.group(1) and "Good" in section.group(1), code


def test_exit_codes(tmp_path: Path, capsys: object) -> None:
    ok = tmp_path / "ok.py"
    ok.write_text(HEAD + "@workflow\ndef w(ctx: Context):\n    return 1\n")
    bad = tmp_path / "bad.py"
    bad.write_text(HEAD + "@workflow\ndef w(ctx: Context):\n    print(1)\n")
    assert main(["compile", str(ok)]) == 0
    assert main(["compile", str(bad)]) == 1
    assert main(["compile", str(tmp_path / "missing.py")]) == 2
    assert main(["compile", f"{ok}:nope"]) == 1
    assert main(["graph", f"{ok}:w", "--format", "dot"]) == 0
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# \xe9\n")
    assert main(["compile", str(latin)]) == 2
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["compile", str(ok), "--target", "aws", "--out", str(blocker / "out")]) == 2


def test_sleep_takes_every_duration_form() -> None:
    """semantics.md: durations are strings, numbers of seconds or timedelta, for ctx.sleep as elsewhere."""
    from portaflow.compiler import ir

    src = (
        "from datetime import timedelta\nDELAY = '1m'\n\n@workflow\ndef w(ctx: Context, n: int):\n"
        "    ctx.sleep(timedelta(seconds=2))\n    ctx.sleep(timedelta(minutes=1, seconds=3))\n"
        "    ctx.sleep(DELAY)\n    ctx.sleep('5s')\n    ctx.sleep(7)\n    ctx.sleep(n)\n"
        "    x = ctx.wait_for_event('e', timeout=timedelta(hours=1))\n    return x\n"
    )
    res = compile_source(HEAD + src, "wf.py")
    assert res.diagnostics == [] and res.program is not None
    sleeps = [s.seconds for s in res.program.workflows["w"].body if isinstance(s, ir.Sleep)]
    assert [s.value for s in sleeps[:5] if isinstance(s, ir.Const)] == [2.0, 63.0, 60.0, 5.0, 7.0]
    assert isinstance(sleeps[5], ir.Name)
    assert codes(
        "from datetime import timedelta\n@workflow\ndef w(ctx, n):\n    ctx.sleep(timedelta(seconds=n))\n"
    ) == ["PFC012"]


def test_target_errors_come_in_the_same_run_at_the_option(tmp_path: Path, capsys: object) -> None:
    """AWS-only errors (PFC040) are reported with the frontend's, each at the argument that causes it."""

    src = tmp_path / "wf.py"
    src.write_text(
        HEAD + "@step(\n    timeout='1500ms',\n"
        "    retry=RetryPolicy(max_attempts=3, initial_interval='500ms'),\n)\n"
        "def s(x: int) -> int:\n    return x\n\n"
        "@workflow\ndef w(ctx: Context, x: int):\n"
        "    y = s(x)\n    print(y)\n    ctx.sleep(0.5)\n    return y\n"
    )
    assert main(["compile", str(src), "--target", "aws", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    found = re.findall(r"wf\.py:(\d+):(\d+): (PFC\d+)", err)
    assert found == [
        ("4", "13", "PFC040"),  # timeout='1500ms'
        ("5", "56", "PFC040"),  # '500ms' of initial_interval=
        ("13", "5", "PFC022"),  # print(y)
        ("14", "5", "PFC040"),  # ctx.sleep(0.5)
    ], err
    assert err.rstrip().endswith("4 errors")
    assert not (tmp_path / "out").exists()


DOC_PRELUDE = (
    "import json\nimport time\n\nfrom portaflow import Context, RetryPolicy, step, workflow\n\n"
    + "".join(
        f"@step\ndef {sig}:\n    return None\n\n"
        for sig in (
            "charge(order_id: str, amount: int) -> dict",
            "price(item)",
            "read_file(path)",
            "log_result(result)",
            "compute(x)",
            "a()",
            "b()",
            "cleanup()",
            "call_llm(messages)",
            "fetch(doc)",
            "store_doc(doc)",
            "render_tool_result(result)",
        )
    )
)
DOC_WORKFLOW = (
    "@workflow\ndef wf(ctx: Context, order_id: str, amount: int, item: str, qty: int, x: int, path: str,\n"
    "       result: dict, messages: list, docs: list, name: str, items: list, order: dict, errors: list):\n"
)


def _doc_examples() -> list[tuple[str, str, str]]:
    """(code, "Bad"|"Good", fragment) for every example of docs/compile-errors.md."""
    doc = (Path(__file__).parents[2] / "docs" / "compile-errors.md").read_text()
    out = []
    for m in re.finditer(r"^## (PF[CW]\d+)\b(.*?)(?=^## |\Z)", doc, re.S | re.M):
        for kind in ("Bad", "Good"):
            ex = re.search(rf"^{kind}:\s*```python\n(.*?)```", m.group(2), re.S | re.M)
            assert ex is not None, f"{m.group(1)}: no {kind} example"
            out.append((m.group(1), kind, ex.group(1)))
    return out


def _compile_doc_example(fragment: str) -> list[str]:
    """The codes `portaflow compile --target aws` reports for the module the doc's fragment stands for."""
    from portaflow.backends.aws.asl import aws_diagnostics

    workflow = None
    if fragment.startswith("portaflow compile"):
        workflow = fragment.split()[2].split(":")[1]
        module = DOC_PRELUDE + DOC_WORKFLOW + "    return 1\n"
    elif fragment.startswith(("@", "def ")):
        module = DOC_PRELUDE + fragment
        if fragment.rstrip().splitlines()[-1].startswith("@"):
            module += "def example(x: int) -> int:\n    return x\n\n\n@workflow\ndef wf(ctx: Context):\n"
            module += "    return example(1)\n"
    else:
        module = DOC_PRELUDE + DOC_WORKFLOW + "".join(f"    {line}\n" for line in fragment.splitlines())
    res = compile_source(module, "app.py", workflow)
    return sorted({d.code for d in aws_diagnostics(res.diagnostics, res.program)})


def test_every_documented_example_gives_exactly_its_code() -> None:
    """docs/compile-errors.md: each bad example reports exactly its code, each good one compiles clean."""
    wrong = []
    for code, kind, fragment in _doc_examples():
        got = _compile_doc_example(fragment)
        want = [code] if kind == "Bad" else []
        if got != want:
            wrong.append(f"{code} {kind}: {got}\n{fragment}")
    assert not wrong, "\n".join(wrong)


def test_zip_of_more_than_two_sequences_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "z.py"
    path.write_text(
        "from portaflow import Context, workflow\n\n@workflow\ndef wf(ctx: Context, xs: list) -> list:\n"
        "    return [list(t) for t in zip(xs, xs, xs)]\n"
    )
    res = compile_file(path)
    assert [(d.code, d.line) for d in res.errors] == [("PFC021", 5)]
    assert "zip() of 3 sequences" in res.errors[0].message


def test_a_builtin_passed_as_a_value_says_builtins_can_only_be_called() -> None:
    wf = "@workflow\ndef w(ctx: Context, xs: list, s: str):\n    return {}\n"
    for expr, name in [
        ("sorted(xs, key=len)", "len"),
        ("isinstance(s, str)", "str"),
        ("list(map(str, xs))", "str"),
        ("max(xs, key=abs)", "abs"),
    ]:
        res = compile_source(HEAD + wf.format(expr), "wf.py")
        [d] = res.diagnostics
        assert d.code == "PFC021", expr
        assert f"builtin {name!r} can only be called" in d.message, d.message
        assert "not defined" not in d.message
        assert f"lambda x: {name}(x)" in d.hint, d.hint


PARENT_AND_CHILD = HEAD + (
    "@workflow\ndef child(ctx: Context, n: int) -> int:\n    return n + 1\n\n\n"
    "@workflow\ndef parent(ctx: Context) -> int:\n    return child(ctx, 1)\n\n\n"
    "@workflow\ndef helper_flow(ctx: Context) -> int:\n    return child(ctx, 2)\n"
)


def test_a_module_with_several_workflows_needs_the_name_like_portaflow_run() -> None:
    """No guess: the last one is no more likely the user's than the first (``run`` asks too)."""
    res = compile_source(PARENT_AND_CHILD, "app.py")
    assert res.program is None
    (err,) = res.errors
    assert err.code == "PFC002" and err.line == HEAD.count("\n") + 2
    assert err.message == "name the workflow as app.py:NAME (workflows here: child, helper_flow, parent)"
    assert "compile_file(path, workflow=NAME)" in err.hint
    named = compile_source(PARENT_AND_CHILD, "app.py", "parent")
    assert named.program is not None and named.program.entry == "parent" and not named.errors
    one = compile_source(HEAD + "@workflow\ndef only(ctx: Context) -> int:\n    return 1\n", "app.py")
    assert one.program is not None and one.program.entry == "only"


def test_the_hint_names_the_one_workflow_no_other_calls() -> None:
    src = PARENT_AND_CHILD.replace("return child(ctx, 2)", "return parent(ctx)")
    (err,) = compile_source(src, "app.py").errors
    assert err.hint == (
        "write app.py:helper_flow on the command line, or compile_file(path, workflow='helper_flow'); "
        "child, parent run as child workflows here"
    )


def test_compile_and_graph_refuse_a_file_of_several_workflows_without_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = tmp_path / "app.py"
    app.write_text(PARENT_AND_CHILD)
    for argv in (
        ["compile", str(app)],
        ["compile", str(app), "--target", "aws", "--out", str(tmp_path / "o")],
        ["graph", str(app)],
    ):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert f"PFC002 name the workflow as {app}:NAME (workflows here: child, helper_flow, parent)" in err
    assert not (tmp_path / "o").exists()
    assert main(["graph", f"{app}:parent"]) == 0
    assert "child" in capsys.readouterr().out
    assert main(["compile", f"{app}:child"]) == 0


def test_timestamp_and_isoformat_of_ctx_now_are_ir_calls_and_refused_on_anything_else() -> None:
    ok = compile_source(
        HEAD + "@workflow\ndef w(ctx: Context):\n    t = ctx.now()\n"
        "    return [ctx.now().timestamp(), t.isoformat(), [t.timestamp() for _ in range(2)]]\n",
        "wf.py",
    )
    assert ok.program is not None and not ok.errors
    ret = ok.program.workflows["w"].body[-1]
    assert isinstance(ret, ir.Return) and isinstance(ret.value, ir.ListExpr)
    calls = [e for e in ret.value.items if isinstance(e, ir.Call)]
    assert [(c.func, c.ty) for c in calls] == [("datetime.timestamp", "float"), ("datetime.isoformat", "str")]
    for body, message in [
        ("t = ctx.now()\n    t = 'x'\n    return t.timestamp()", "method .timestamp() is not supported"),
        ("return s.timestamp()", "method .timestamp() is not supported"),
        ("return ctx.now().timestamp(1)", "ctx.now().timestamp(...) is not supported"),
        ("return ctx.now().strftime('%Y')", "method .strftime() of ctx.now() is not supported"),
        ("t = ctx.now()\n    return [t.timestamp() for t in [1]]", "method .timestamp() is not supported"),
    ]:
        res = compile_source(HEAD + f"@workflow\ndef w(ctx: Context, s: str):\n    {body}\n", "wf.py")
        (err,) = res.errors
        assert err.code == "PFC024" and message in err.message, (body, err.message)
