"""Plain helper functions are inlined where they are called, and tables of steps read for their keys; what
a helper may not do is reported at the helper's own line, naming the call chain. (What the inlined code
computes, on every target, is checked by the conformance scenarios s101-s105.)"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from portaflow.compiler import compile_file, compile_source, ir
from portaflow.compiler.diagnostics import Diagnostic, render_all

HEADER = """import time

from portaflow import Context, step, workflow


@step
def fetch(url: str) -> str:
    return url


"""


def errors(body: str) -> list[Diagnostic]:
    return compile_source(HEADER + textwrap.dedent(body).lstrip(), "app.py").errors


def program(body: str) -> ir.Program:
    res = compile_source(HEADER + textwrap.dedent(body).lstrip(), "app.py")
    assert not res.errors, render_all(res.errors, res.sources)
    assert res.program is not None
    return res.program


def line_of(body: str, text: str) -> int:
    source = HEADER + textwrap.dedent(body).lstrip()
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


NESTED = """
def stamp(label):
    return f"{label} {time.time()}"


def describe(label):
    text = stamp(label)
    return text


@workflow
def wf(ctx: Context):
    d = describe("run")
    return d
"""


def test_a_problem_inside_a_helper_is_at_the_helpers_line_naming_the_call_chain() -> None:
    [d] = errors(NESTED)
    assert (d.code, d.path, d.line) == ("PFC022", "app.py", line_of(NESTED, "time.time()"))
    assert d.message.endswith(
        f"(in stamp() called from describe() at app.py:{line_of(NESTED, 'text = stamp')}, "
        f"in describe() called from wf at app.py:{line_of(NESTED, 'd = describe')})"
    )
    assert d.hint == "use ctx.now() (recorded: the same time on every replay)"


@pytest.mark.parametrize(
    ("helpers", "first", "chain"),
    [
        ("def walk(n):\n    return walk(n - 1)\n", "walk", "walk() calls itself (walk() -> walk())"),
        (
            "def ping(n):\n    return pong(n)\n\n\ndef pong(n):\n    return ping(n)\n",
            "ping",
            "ping() calls itself (ping() -> pong() -> ping())",
        ),
    ],
)
def test_recursion_direct_or_mutual_is_pfc037_with_the_chain(helpers: str, first: str, chain: str) -> None:
    body = helpers + f"\n\n@workflow\ndef wf(ctx: Context):\n    r = {first}(3)\n    return r\n"
    found = errors(body)
    assert [d.code for d in found] == ["PFC037"] and found[0].message.startswith(chain), found
    assert "write the recursion as a loop" in found[0].hint
    assert (
        found[0].line == line_of(body, f"return {first}(n")
        if first == "walk"
        else line_of(body, "return ping(n)")
    )


@pytest.mark.parametrize(
    ("helper", "message"),
    [
        (
            "def h(x, acc=[]):\n    acc.append(x)\n    return len(acc)\n",
            "the default of 'acc' is one list/dict",
        ),
        ("def h(x, acc={}):\n    return acc\n", "the default of 'acc' is one list/dict"),
        ("def h(x, acc=[]):\n    more = acc\n    return x\n", "the default of 'acc' is one list/dict"),
        ("async def h(x):\n    return x\n", "h() is `async def`"),
        ("def h(x):\n    yield x\n", "h() is a generator"),
        ("def h(*xs):\n    return 1\n", "h() takes *args/**kwargs"),
        ("def h(x):\n    def g():\n        return 1\n    return x\n", "h() defines a function inside it"),
        ("def h(x, y=fetch):\n    return x\n", "the default of 'y' is not a literal"),
    ],
)
def test_what_a_helper_cannot_be_is_pfc038_at_the_helper(helper: str, message: str) -> None:
    body = helper + "\n\n@workflow\ndef wf(ctx: Context):\n    r = h(1)\n    return r\n"
    found = errors(body)
    assert [d.code for d in found] == ["PFC038"], found
    assert message in found[0].message
    assert found[0].line < line_of(body, "@workflow")  # at the def, not at the call


def test_a_list_default_only_read_is_shared_harmlessly_and_compiles() -> None:
    program(
        """
        def allowed(x, names=["a", "b"], limits={"a": 1}):
            return x in names and len(names) > limits["a"]


        @workflow
        def wf(ctx: Context, x: str):
            ok = allowed(x)
            return ok
        """
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("h()", "h() is missing argument(s): x"),
        ("h(1, 2, 3)", "h() takes 2 positional argument(s)"),
        ("h(1, z=2)", "h() has no parameter 'z'"),
        ("h(1, x=2)", "h() got 'x' twice"),
        ("h(*[1])", "*args/**kwargs cannot be passed to h()"),
    ],
)
def test_arguments_python_would_refuse_are_pfc027_at_the_call(call: str, message: str) -> None:
    body = "def h(x, y=0):\n    return x + y\n\n\n@workflow\ndef wf(ctx: Context):\n"
    body += f"    r = {call}\n    return r\n"
    found = errors(body)
    assert [d.code for d in found] == ["PFC027"] and message in found[0].message, found
    assert found[0].line == line_of(body, "r = ")


def test_a_helpers_locals_are_renamed_apart_from_the_callers() -> None:
    prog = program(
        """
        def bump(x):
            y = x + 1
            return y


        @workflow
        def wf(ctx: Context, x: int):
            y = "mine"
            z = bump(x)
            return [x, y, z]
        """
    )
    assigned = [n for s in ir.walk_stmts(prog.workflows["wf"].body) for n in ir.assigned_names(s)]
    assert [n for n in assigned if not ir.is_temporary(n)] == ["y", "z"]
    assert all(n.startswith("%inl1_") for n in assigned if ir.is_temporary(n))


def test_a_helper_with_a_loop_inside_an_expression_is_pfc023_saying_why() -> None:
    body = """
    def total(xs):
        t = 0
        for x in xs:
            t += x
        return t


    @workflow
    def wf(ctx: Context, xs: list):
        return total(xs) + 1
    """
    [d] = errors(body)
    assert (
        d.code == "PFC023" and "total() cannot be called inside an expression: it has a for loop" in d.message
    )
    assert d.hint == "call it as a statement of its own first: `result = total(xs)`"


def test_an_expression_helper_inlines_as_one_expression_of_its_ifs() -> None:
    prog = program(
        """
        def sign(n):
            if n < 0:
                return -1
            return 1


        @workflow
        def wf(ctx: Context, n: int):
            return [sign(n), sign(-n)]
        """
    )
    [ret] = prog.workflows["wf"].body
    assert isinstance(ret, ir.Return) and isinstance(ret.value, ir.ListExpr)
    first = ret.value.items[0]
    assert first == ir.IfExp(
        ir.Compare(ir.Name("n", "int"), ("<",), (ir.Const(0, "int"),), "bool"),
        ir.Const(-1, "int"),
        ir.Const(1, "int"),
        "int",
    )


def test_a_decorated_function_is_not_inlined_but_pfc022_saying_why() -> None:
    body = """
    import functools


    @functools.cache
    def h(x):
        return x


    @workflow
    def wf(ctx: Context):
        r = h(1)
        return r
    """
    [d] = errors(body)
    assert d.code == "PFC022" and "a decorated function is not inlined as a helper" in d.message


def test_a_helper_in_another_module_reports_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tools.py").write_text("import os\n\n\ndef cwd():\n    return os.getcwd()\n")
    (tmp_path / "flow.py").write_text(
        "from portaflow import Context, workflow\nfrom tools import cwd\n\n\n@workflow\n"
        "def wf(ctx: Context):\n    here = cwd()\n    return here\n"
    )
    [d] = compile_file("flow.py").errors
    assert (d.code, d.path, d.line, d.col) == ("PFC022", "tools.py", 5, 12)
    assert d.message.endswith("(in cwd() called from wf at flow.py:7)")


TABLE = """
@step
def calc(a: int, b: int) -> int:
    return a + b


TOOLS = {"fetch": fetch, "calc": calc}
MIXED = {"a": calc, "b": time}
COMPUTED = len("x")


@workflow
def wf(ctx: Context, name: str):
"""


@pytest.mark.parametrize(
    ("use", "message"),
    [
        ("t = TOOLS", "'TOOLS' is a table of steps (app.py:"),
        ("t = TOOLS.get(name)", "'TOOLS' is a table of steps (app.py:"),
        ("t = [v for v in TOOLS.values()]", "'TOOLS' is a table of steps (app.py:"),
        ("t = MIXED", "'MIXED' (app.py:17) is a dict whose values are names, not literals"),
        ("t = COMPUTED", "'COMPUTED' is a module-level value that is not a literal (app.py:18)"),
        ("t = time", "'time' is imported from outside the project"),
        ("t = calc", "'calc' cannot be used as a value"),
    ],
)
def test_a_table_used_other_than_for_its_keys_says_what_it_is(use: str, message: str) -> None:
    found = errors(TABLE + f"    {use}\n    return 1\n")
    assert len(found) == 1 and message in found[0].message, found


def test_a_tables_keys_are_a_constant_wherever_only_keys_are_read() -> None:
    prog = program(
        TABLE
        + "    a = name in TOOLS\n    b = sorted(TOOLS)\n    c = list(TOOLS.keys())\n    d = len(TOOLS)\n"
        + "    e = [k for k in TOOLS]\n    return [a, b, c, d, e]\n"
    )
    keys = ir.Const({"fetch": None, "calc": None}, "dict")
    body = prog.workflows["wf"].body
    assert body[0] == ir.Assign(
        ir.NameTarget("a"), ir.Compare(ir.Name("name", "str"), ("in",), (keys,), "bool"), body[0].loc
    )
    for stmt in body[1:5]:
        assert isinstance(stmt, ir.Assign) and keys in _consts(stmt.value), stmt


def _consts(x: object) -> list[ir.Const]:
    """Every constant of an IR subtree."""
    if isinstance(x, ir.Const):
        return [x]
    if isinstance(x, tuple):
        return [c for y in x for c in _consts(y)]
    fields = getattr(x, "__dataclass_fields__", {})
    return [c for f in fields for c in _consts(getattr(x, f))]


def test_a_def_under_a_module_level_try_is_not_inlined_but_pfc022_saying_why() -> None:
    body = """
    try:
        def h(x):
            return x
    except ImportError:
        pass


    @workflow
    def wf(ctx: Context):
        r = h(1)
        return r
    """
    [d] = errors(body)
    assert d.code == "PFC022" and "only a def at the top level of a module is inlined" in d.message
