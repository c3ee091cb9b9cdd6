"""Diagnostics read like a compiler's: every error in one run, stable codes, caret, a fix; exit codes
0/1/2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from portaflow.compiler import compile_file, compile_source, ir
from portaflow.compiler.cli import main
from portaflow.compiler.diagnostics import CODES, Diagnostic, render_all

HEAD = "from portaflow import workflow, step, Context, RetryPolicy\n\n"


def codes(src: str) -> list[str]:
    return [d.code for d in compile_source(HEAD + src, "wf.py").diagnostics]


def test_every_error_is_reported_in_one_run_with_position_caret_and_hint() -> None:
    src = (
        "@step(retry=RetryPolicy(max_attempts=N), timeout='3x')\ndef s(x):\n    return x\n\n"
        "@workflow\ndef w(ctx: Context, x: int):\n    y = f'{x:>5}{s(x)}'\n    z = x | 2\n    return nope\n"
    )
    res = compile_source(HEAD + src, "wf.py")
    assert [d.code for d in res.diagnostics] == ["PFC011", "PFC012", "PFC023", "PFC021", "PFC026"]
    text = render_all(res.diagnostics, res.source)
    assert "wf.py:9:18: PFC023 Python evaluates `{x:>5}` before this call, and that may raise" in text
    caret = "        y = f'{x:>5}{s(x)}'\n                     ^\n"
    assert caret + "  help: call it in a statement of its own first" in text
    assert text.endswith("5 errors")


def test_unsupported_constructs_are_refused_with_their_code() -> None:
    wf = "@workflow\ndef w(ctx: Context, x: list):\n    {}\n"
    assert codes(wf.format("with open('f') as f:\n        pass")) == ["PFC020"]
    assert codes(wf.format("print(x)")) == ["PFC022"]
    assert codes(wf.format("y = [z for z in {1, 2}]")) == ["PFC021"]
    assert codes(wf.format("y = x.count(1)")) == ["PFC024"]
    assert codes(wf.format("x.a = 1")) == ["PFC025"]
    assert codes(wf.format("y = ctx.wait_for_event(x)")) == ["PFC030"]
    assert codes(wf.format("break")) == ["PFC035"]
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
    from portaflow import backends

    every = [*CODES, *(code for name in backends.names() for code in backends.get(name).codes)]
    assert len(every) == len(set(every)), "a backend reuses a code"
    for code in every:
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
    # a timedelta of values known at run time is a duration computed at run time, as `n` is (its
    # arguments ints, as timedelta(...) takes them anywhere: PFC021 for one that may be a float)
    src = "from datetime import timedelta\n@workflow\ndef w(ctx, n{}):\n    ctx.sleep(timedelta(seconds=n))\n"
    assert codes(src.format(": int")) == []
    assert codes(src.format("")) == ["PFC021"]


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
    "import json\nimport time\nfrom datetime import timedelta\n\n"
    "from portaflow import Context, RetryPolicy, step, workflow\n\n"
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
            examples = re.findall(rf"^{kind}:\s*```python\n(.*?)```", m.group(2), re.S | re.M)
            assert examples, f"{m.group(1)}: no {kind} example"
            out.extend((m.group(1), kind, ex) for ex in examples)  # every one, where a code has several
    return out


def _compile_doc_example(fragment: str, code: str) -> list[str]:
    """The codes `portaflow compile --target T` reports for the module the doc's fragment stands for: T is
    the fragment's own --target (of its command, or a `# --target T` comment), else the backend that owns
    ``code``, else aws."""
    from portaflow import backends
    from portaflow.backends import get
    from portaflow.compiler.pipeline import diagnose

    owner = next((n for n in backends.names() if code in get(n).codes), "aws")
    named = re.search(r"# --target (\w+)", fragment)  # a fragment may name its target in a comment
    if named is not None:
        owner = named.group(1)
    chosen = re.search(r"# compile: (\w+)", fragment)  # of a module of several workflows: which one
    workflow = None if chosen is None else chosen.group(1)
    filename = "app.py"
    if fragment.startswith("portaflow compile"):
        words = fragment.split()
        filename, workflow = words[2].split(":")
        if "--target" in words:
            owner = words[words.index("--target") + 1]
        module = DOC_PRELUDE + DOC_WORKFLOW + "    return 1\n"
    elif fragment.startswith(("@", "def ")):
        module = DOC_PRELUDE + fragment
        if fragment.rstrip().splitlines()[-1].startswith("@"):
            module += "def example(x: int) -> int:\n    return x\n\n\n@workflow\ndef wf(ctx: Context):\n"
            module += "    return example(1)\n"
    else:
        module = DOC_PRELUDE + DOC_WORKFLOW + "".join(f"    {line}\n" for line in fragment.splitlines())
    res = compile_source(module, filename, workflow)
    return sorted({d.code for d in diagnose(res, get(owner))})


def test_every_documented_example_gives_exactly_its_code() -> None:
    """docs/compile-errors.md: each bad example reports exactly its code, each good one compiles clean."""
    wrong = []
    for code, kind, fragment in _doc_examples():
        got = _compile_doc_example(fragment, code)
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
        ("[isinstance(s, str), s == str]", "str"),
        ("list(map(str, xs))", "str"),
    ]:
        res = compile_source(HEAD + wf.format(expr), "wf.py")
        [d] = res.diagnostics
        assert d.code == "PFC021", expr
        assert f"builtin {name!r} can only be called" in d.message, d.message
        assert "not defined" not in d.message
        assert f"lambda x: {name}(x)" in d.hint, d.hint


def test_a_builtin_of_one_value_is_a_key_function() -> None:
    """Issue 11: ``key=len`` is ``key=lambda x: len(x)`` (Python looks ``len`` up once, and it is there);
    ``key=str.lower`` is PFC091, since Python's TypeError for an item that is not a str differs."""
    wf = "@workflow\ndef w(ctx: Context, xs: list, s: str):\n    d = dict()\n    return {}\n"
    for expr in (
        "sorted(xs, key=len)",
        "max(xs, key=abs)",
        'max(xs, key=len, default="")',
        "min(d, key=d.get)",
    ):
        assert compile_source(HEAD + wf.format(expr), "wf.py").diagnostics == [], expr
    [d] = compile_source(HEAD + wf.format("sorted(xs, key=str.lower)"), "wf.py").diagnostics
    assert d.code == "PFC091" and "descriptor 'lower'" in d.message and "key=lambda s: s.lower()" in d.hint
    [d] = compile_source(HEAD + wf.format("sorted(xs, key=sum)"), "wf.py").diagnostics
    assert d.code == "PFC091"


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
        ("return ctx.now().timestamp(1)", "ctx.now().timestamp() takes no arguments (1 given)"),
        ("return ctx.now().date()", "method .date() of ctx.now() is not supported"),
        ("t = ctx.now()\n    return [t.timestamp() for t in [1]]", "method .timestamp() is not supported"),
    ]:
        res = compile_source(HEAD + f"@workflow\ndef w(ctx: Context, s: str):\n    {body}\n", "wf.py")
        (err,) = res.errors
        assert err.code == "PFC024" and message in err.message, (body, err.message)


def _aws_errors(src: str, workflow: str | None = None) -> list[Diagnostic]:
    """The diagnostics `portaflow compile --target aws` reports for the module ``src``."""
    from portaflow.backends import get
    from portaflow.compiler.pipeline import diagnose

    res = compile_source(src, "wf.py", workflow)
    return diagnose(res, get("aws"))


ARITY_WORKFLOW = (
    "import json\n\nfrom portaflow import Context, workflow\n\n\n@workflow\n"
    "def w(ctx: Context, d: dict, xs: list, s: str, x: float, n: int):\n    return {}\n"
)


@pytest.mark.parametrize(
    ("expr", "code", "message", "hint"),
    [
        # too few: Python raises TypeError, the lowering crashed ("internal error: IndexError")
        ("len()", "PFC021", "len() takes exactly one argument (0 given)", "write len(x)"),
        ("sorted()", "PFC021", "sorted() takes exactly one argument (0 given)", "sorted(xs)"),
        ("abs()", "PFC021", "abs() takes exactly one argument (0 given)", "write abs(x)"),
        ("range()", "PFC021", "range() takes 1 to 3 arguments (0 given)", "range(start, stop, step)"),
        ("min()", "PFC021", "min() takes at least one argument (0 given)", "min(a, b, ...)"),
        ("max()", "PFC021", "max() takes at least one argument (0 given)", "max(xs"),
        ("round()", "PFC021", "round() takes 1 or 2 arguments (0 given)", "round(x, ndigits)"),
        ("sum()", "PFC021", "sum() takes 1 or 2 arguments (0 given)", "sum(xs, start)"),
        ("any()", "PFC021", "any() takes exactly one argument (0 given)", "any(xs)"),
        ("enumerate()", "PFC021", "enumerate() takes 1 or 2 arguments (0 given)", "enumerate(xs, start)"),
        ("json.loads()", "PFC021", "json.loads() takes exactly one argument (0 given)", "json.loads(text)"),
        ("d.get()", "PFC024", "d.get() takes 1 or 2 arguments (0 given)", "d.get(key, default)"),
        ("s.join()", "PFC024", "s.join() takes exactly one argument (0 given)", "sep.join(xs)"),
        ("s.startswith()", "PFC024", "s.startswith() takes exactly one argument (0 given)", "prefix"),
        ("s.replace('a')", "PFC024", "s.replace() takes exactly 2 arguments (1 given)", "(old, new)"),
        # too many: the lowering dropped the extra arguments, and the run succeeded where Python raises
        (
            'd.get("a", 1, 2)',
            "PFC024",
            "d.get() takes 1 or 2 arguments (3 given): Python raises",
            "d.get(key)",
        ),
        (
            "len(d, d)",
            "PFC021",
            "len() takes exactly one argument (2 given): Python raises TypeError",
            "len(x)",
        ),
        ("d.keys(1)", "PFC024", "d.keys() takes no arguments (1 given)", "write d.keys()"),
        ('"a".upper(1)', "PFC024", '"a".upper() takes no arguments (1 given)', "write s.upper()"),
        ("s.strip('a', 'b')", "PFC024", "s.strip() takes at most one argument (2 given)", "s.strip(chars)"),
        ("abs(x, x)", "PFC021", "abs() takes exactly one argument (2 given)", "abs(x)"),
        ("range(1, 2, 3, 4)", "PFC021", "range() takes 1 to 3 arguments (4 given)", "range(stop)"),
        ("sorted(xs, xs)", "PFC021", "sorted() takes exactly one argument (2 given)", "key=lambda"),
        (
            "json.dumps(d, d)",
            "PFC021",
            "json.dumps() takes exactly one argument (2 given)",
            "json.dumps(value)",
        ),
        ("ctx.now().timestamp(1)", "PFC024", "ctx.now().timestamp() takes no arguments (1 given)", "()"),
        ("int('1', 2, 3)", "PFC021", "int() takes at most one argument (3 given): Python raises", "int(x)"),
        # Python takes them, no target does: refused, saying why
        ("str(1, 2, 3)", "PFC021", "str() with 3 arguments is not supported: str(b, encoding", "a @step"),
        ("int('11', 2)", "PFC021", "int() with 2 arguments is not supported: only base 10", "a @step"),
        ("int('11', base=2)", "PFC021", "int() does not take base= here: only base 10", "write int(x)"),
        (
            "s.split(',', 1)",
            "PFC024",
            "s.split() with 2 arguments is not supported: it splits at every",
            "join",
        ),
        ("s.split(maxsplit=1)", "PFC024", "s.split() does not take maxsplit= here", "s.split(sep)"),
        (
            "s.startswith('a', 1)",
            "PFC024",
            "s.startswith() with 2 arguments is not supported",
            "s[start:end]",
        ),
        ("s.endswith('a', 0, 1)", "PFC024", "s.endswith() with 3 arguments is not supported", "s[start:end]"),
        ("s.replace('a', 'b', 1)", "PFC024", "s.replace() with 3 arguments is not supported", "(old, new)"),
        ("s.startswith(('a', 'b'))", "PFC024", "s.startswith() of a tuple of prefixes", "s.startswith(a) or"),
        (
            "json.dumps(d, default=None)",
            "PFC021",
            "json.dumps() does not take default= here: it takes sort_keys, indent, separators",
            "",
        ),
        (
            "json.dumps(d, indent=n)",
            "PFC021",
            "takes None, an int or a str (indent=2) written as a literal",
            "",
        ),
        ("json.dumps(d, separators=',')", "PFC021", "takes a pair of strs", ""),
        ("ctx.now().isoformat(timespec='seconds')", "PFC024", "does not take timespec= here", "@step"),
        ("dict(a=1)", "PFC021", "dict() does not take a= here", 'a literal {"k": v}'),
        # keywords
        ("sorted(xs, cmp=1)", "PFC021", "sorted() has no keyword argument cmp=: Python raises TypeError", ""),
        ("round(x, digits=1)", "PFC021", "round() has no keyword argument digits=", "round(x, ndigits)"),
        ("round(ndigits=1)", "PFC021", "round() got ndigits= without the argument before it", ""),
        ("sum(xs, 1, start=1)", "PFC021", "sum() got start= and a positional argument for it", ""),
        (
            "d.get('a', default=1)",
            "PFC024",
            "d.get() has no keyword argument default=",
            "d.get(key, default)",
        ),
        ("min(1, 2, default=0)", "PFC021", "min() cannot take default= with several arguments", "min([a, b]"),
        # the special message of zip stays
        (
            "zip(xs)",
            "PFC021",
            "zip() of 1 sequence is not supported: it zips two here",
            "zip(zip(xs, ys), zs)",
        ),
        ("zip(xs, xs, xs)", "PFC021", "zip() of 3 sequences is not supported", "zip two at a time"),
    ],
)
def test_a_builtin_or_method_called_with_wrong_arguments_is_refused_at_the_call(
    expr: str, code: str, message: str, hint: str
) -> None:
    """One table of signatures (frontend.SIGNATURES): what Python would refuse, and what Python takes but
    no target lowers, is a diagnostic at the call, never a crash nor an argument silently dropped."""
    src = ARITY_WORKFLOW.replace("return {}", f"y = 1\n    return {expr}")
    [d] = _aws_errors(src)
    assert (d.code, d.line, d.col) == (code, 9, 12), d
    assert message in d.message, d.message
    assert hint in d.hint, d.hint


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("round(x, ndigits=1)", {"x": 2.25}),
        ("round(x, None)", {"x": 2.5}),
        ("round(number=x)", {"x": 3.5}),
        ("sum(xs, start=10)", {"xs": [1, 2]}),
        ("sum(xs, 10)", {"xs": [1, 2]}),
        ("list(enumerate(xs, start=1))", {"xs": ["a", "b"]}),
        ("list(enumerate(xs, 1))", {"xs": ["a", "b"]}),
        ("s.split(sep=',')", {"s": "a,b"}),
        ("[min(1, 2, 3), max(xs, default=0), min(xs, key=lambda v: -v)]", {"xs": [1, 5]}),
        ("list(range(1, 9, 3))", {}),
        ("[int(), str(), float(), bool(), list(), dict()]", {}),
        ("d.get('a', 7)", {"d": {}}),
    ],
)
def test_every_form_a_signature_takes_compiles_and_runs_as_python_on_aws(
    expr: str, names: dict[str, object]
) -> None:
    """Keyword spellings of positional parameters (``sum(xs, start=10)``) are made positional, so the
    lowering, which reads positions, does not drop them."""
    from portaflow.backends.aws.offline.exprcheck import eval_jsonata, lower_expression

    text, _ = lower_expression(expr, names)
    assert eval_jsonata(text, names) == json.loads(json.dumps(eval(expr, {}, dict(names))))


def test_every_supported_builtin_and_method_has_a_signature() -> None:
    from portaflow.compiler import frontend as fe
    from portaflow.compiler.frontend import datetimes

    named = (
        set(fe.BUILTINS_SUPPORTED)
        | {f"str.{m}" for m in fe.STR_METHODS}
        | {f"dict.{m}" for m in fe.DICT_METHODS}
        | {f"list.{m}" for m in fe.LIST_MUTATORS}
        | {f"datetime.{m}" for m in fe.DATETIME_METHODS}
        | {"json.dumps", "json.loads"}
        | {f"{ty}.{name}" for ty, names in datetimes.ATTRIBUTES.items() for name in names}
        | {"timedelta", "timedelta.total_seconds"}
        | {"type.__name__"}  # the frontend's own (frontend/mutations.py), no workflow calls it
    )
    assert set(fe.SIGNATURES) == named


def test_a_builtin_of_too_few_arguments_is_a_diagnostic_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/tmp/review 12: `portaflow compile --target aws` said "internal error: IndexError"."""
    path = tmp_path / "wf.py"
    path.write_text(ARITY_WORKFLOW.replace("return {}", "n = len()\n    return {'n': n, 'x': d.get()}"))
    assert main(["compile", str(path), "--target", "aws", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert re.findall(r"wf\.py:(\d+):(\d+): (PFC\d+)", err) == [("8", "9", "PFC021"), ("9", "26", "PFC024")]


METHOD_WORKFLOW = (
    "from portaflow import Context, step, workflow\n\n\n@step\ndef fetch(x):\n    return x\n\n\n@workflow\n"
    "def w(ctx: Context, rows: list, meta: dict, other: dict, cfg: dict, d: dict, items, x: int, s: str):\n"
    "    {}\n    return [rows, meta, other, cfg, d, items, x, s]\n"
)
METHOD_INPUT = {
    "rows": [{"id": 2}, {"id": 1}, {"id": 3}],
    "meta": {"a": 1},
    "other": {"b": 2, "a": 0},
    "cfg": {"tags": ["t"]},
    "d": {"k": 1, "j": 2},
    "items": [1, 2, 1],
    "x": 1,
    "s": " Hi ",
}


@pytest.mark.parametrize(
    "statement",
    [
        'rows.sort(key=lambda r: r["id"])',
        "rows.sort(reverse=True, key=lambda r: -r['id'])",
        "rows.reverse()",
        'meta.update({"count": len(rows), "x": x})',
        "meta.update(other)",
        "meta.update(other, z=x)",
        'rows.insert(0, {"id": 0})',
        "rows.insert(x, {})",
        'cfg["tags"].append(x)',
        'cfg["tags"].extend(["u", s])',
        'cfg["tags"].append(fetch(x))',
        "d.clear()",
        "rows.clear()",
        "items.clear()",
        "items.remove(2)",
        'd.pop("k")',
        'd.pop("k", None)',
        "rows.pop()",
        "rows.pop(0)",
        "rows.pop(x)",
        "rows.pop(-x)",
        "items.pop(x)",
        'd.setdefault("n", [])',
        'd.setdefault("k")',
    ],
)
def test_a_method_that_changes_a_value_in_place_compiles_for_aws(statement: str) -> None:
    """Issue 11: the methods PFC024 refused with the statements to write instead (.sort(), .update(),
    d[k].append(x)...) compile; their results on every target are the conformance scenarios'
    (s280-s283)."""
    assert _aws_errors(METHOD_WORKFLOW.format(statement)) == []


@pytest.mark.parametrize(
    ("statement", "message", "instead", "same"),
    [
        (
            "s.strip()",
            "`s.strip()` computes a new value, which this statement discards",
            ["s = s.strip()"],
            False,
        ),
        ('d.get("k")', '`d.get("k")` computes a new value', ['value = d.get("k")'], False),
        (
            "ctx.now().isoformat()",
            "`ctx.now().isoformat()` computes a new value",
            ["value = ctx.now().isoformat()"],
            False,
        ),
        ("rows.count(1)", "method .count() is not supported on list", [], False),
        ('cfg["a"]["tags"].append(x)', "changes a value inside another in place", [], False),
    ],
)
def test_a_method_statement_says_it_is_unsupported_and_what_to_write(
    statement: str, message: str, instead: list[str], same: bool
) -> None:
    """/tmp/review 10: `rows.sort(...)` got PFC020's "an expression statement must be a call of a step";
    now PFC024 (PFC020 for a method that only computes a value) with statements that compile for AWS and,
    where ``same``, do what the method does in Python."""
    [d] = _aws_errors(METHOD_WORKFLOW.format(statement))
    assert (d.code, d.line, d.col) == ("PFC020" if "computes" in message else "PFC024", 11, 5), d
    assert message in d.message, d.message
    assert re.findall(r"`([^`]*)`", d.hint) == instead, d.hint
    if not instead:
        return
    assert _aws_errors(METHOD_WORKFLOW.format("\n    ".join(instead))) == []
    if same:
        import copy

        def run(code: str) -> dict[str, object]:
            env: dict[str, object] = {"fetch": lambda v: v, **copy.deepcopy(METHOD_INPUT)}
            exec(code, env)
            return {k: env[k] for k in METHOD_INPUT}

        assert run("\n".join(instead)) == run(statement)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        (
            "@step\nasync def fetch(x: int) -> int:\n    return x\n\n\n"
            "@workflow\nasync def flow(ctx: Context, x: int) -> int:\n    y = fetch(x)\n    return y\n",
            [
                ("PFC003", 4, 1, "a step must be a plain (sync) function, not `async def fetch`"),
                ("PFC003", 9, 1, "a workflow must be a plain (sync) function, not `async def flow`"),
            ],
        ),
        (
            "@workflow\nasync def flow(ctx: Context) -> int:\n    return 1\n",
            [("PFC003", 4, 1, "a workflow must be a plain (sync) function")],
        ),
        (  # every step of the module, used or not: @step refuses it when `portaflow run` imports the module
            "@step\nasync def unused() -> int:\n    return 1\n\n\n"
            "@workflow\ndef flow(ctx: Context) -> int:\n    return 1\n",
            [("PFC003", 4, 1, "a step must be a plain (sync) function, not `async def unused`")],
        ),
    ],
)
def test_async_def_is_refused_as_portaflow_run_refuses_it(
    source: str, found: list[tuple[str, int, int, str]]
) -> None:
    """/tmp/review 17: `async def` compiled for AWS while @workflow/@step raise TypeError at import."""
    errors = _aws_errors(HEAD + source)
    assert [(d.code, d.line, d.col) for d in errors] == [f[:3] for f in found]
    for d, f in zip(errors, found, strict=True):
        assert f[3] in d.message
        assert "plain (sync)" in d.message and d.hint.startswith("write def ")


MULTI = HEAD + (
    "@step\ndef double(x: int) -> int:\n    return 2 * x\n\n\n"
    "def helper(x):\n    return x\n\n\n"
    "@workflow\ndef child(ctx: Context, x: int) -> int:\n    return double(x)\n\n\n"
    '@workflow(name="parent-flow")\ndef parent(ctx: Context, xs: list) -> list:\n'
    "    return [child(ctx, xs[0])]\n"
)


@pytest.mark.parametrize(
    ("workflow", "line", "message", "hint"),
    [
        (
            None,
            13,
            "name the workflow as app.py:NAME (workflows here: child, parent)",
            "write app.py:parent on the command line, or compile_file(path, workflow='parent'); "
            "child runs as a child workflow here",
        ),
        (
            "double",
            4,
            "'double' is a @step, not a @workflow: a step runs inside a workflow",
            "compile the workflow that calls it; workflows here: child, parent",
        ),
        (
            "helper",
            8,
            "'helper' is a plain function, not a @workflow",
            "decorate it with @workflow, or name a workflow; workflows here: child, parent",
        ),
        ("nope", 1, "no @workflow named 'nope' in app.py", "workflows here: child, parent"),
    ],
)
def test_pfc002_says_what_the_name_is(workflow: str | None, line: int, message: str, hint: str) -> None:
    """/tmp/review 20: one child "runs as a child workflow"; FILE:double names a step, and says so."""
    (err,) = compile_source(MULTI, "app.py", workflow).errors
    assert (err.code, err.line, err.message, err.hint) == ("PFC002", line, message, hint)
    assert compile_source(MULTI, "app.py", "parent-flow").program is not None


@pytest.mark.parametrize(
    ("source", "line", "col", "message"),
    [
        ("@workflow\ndef f(ctx):\n    x = (1,\n", 5, 9, "'(' was never closed"),
        ("@workflow\ndef wf(ctx:\n    return 1\n", 4, 7, "'(' was never closed"),
        ("x = 1 +\n", 3, 8, "invalid syntax"),
        ('x = "abc\n', 3, 5, "unterminated string literal (detected at line 3)"),
        ("\ndef charge(:\n", 4, 12, "invalid syntax"),
    ],
)
def test_a_syntax_error_is_where_its_text_says(source: str, line: int, col: int, message: str) -> None:
    """/tmp/review d/syntax.py: the caret was at 5:1 and the text said "error at 6:0". CPython's parser
    gives the position and wording `portaflow run` shows at import."""
    (err,) = compile_source(HEAD + source, "wf.py").errors
    assert (err.code, err.line, err.col, err.message) == ("PFC001", line, col, f"syntax error: {message}")
    assert "error at" not in err.message


def test_a_syntax_error_only_libcst_sees_is_at_the_position_its_text_names() -> None:
    """Where CPython parses what libcst does not, libcst's "error at L:C" (C counted from 0) is the
    diagnostic's position, not part of its text; past the end of the file it points after the last line."""
    import libcst as cst

    from portaflow.source.parse import syntax_error as _syntax_error

    source = "x = (1,\n"
    with pytest.raises(cst.ParserSyntaxError) as e:
        cst.parse_module(source)
    assert "error at 2:0" in e.value.message
    message, line, col = _syntax_error("y = 1\n", e.value)  # a text CPython parses
    assert (line, col) == (1, 6) and not message.startswith(("parser error", "error at"))
    message, line, col = _syntax_error("y = 1\nz = 2\nw = 3\n", e.value)
    assert (line, col) == (2, 1)


def test_every_wrong_call_of_a_statement_is_reported_in_one_run() -> None:
    """/tmp/review 13: the extra arguments were dropped on AWS; each call is now its own diagnostic."""
    src = ARITY_WORKFLOW.replace(
        "return {}", 'return {"a": d.get("a", 1, 2), "n": len(d, d), "k": d.keys(1), "s": "a".upper(1)}'
    )
    assert [(d.code, d.col) for d in _aws_errors(src)] == [
        ("PFC024", 18),
        ("PFC021", 41),
        ("PFC024", 57),
        ("PFC024", 73),
    ]


def test_a_generator_expression_stored_in_a_variable_is_refused_where_it_is_written() -> None:
    """`g = (...)` is a generator that its first use empties: `sum(g); sum(g)` gives 0 the second time,
    which a target without generator objects would not; passed straight to a call it is exact."""
    sig = "@workflow\ndef w(ctx: Context, xs: list) -> list:\n"
    wf = sig + "    g = (x * 2 for x in xs)\n    return [sum(g), sum(g)]\n"
    res = compile_source(HEAD + wf, "g.py")
    [d] = res.diagnostics
    assert (d.code, d.line - HEAD.count("\n")) == ("PFC021", 3)
    assert "generator" in d.message and "list comprehension" in d.hint
    ok = sig + "    return [sum(x * 2 for x in xs), any(x > 1 for x in xs)]\n"
    assert compile_source(HEAD + ok, "ok.py").diagnostics == []
