"""Steps and child workflows imported from the project's other modules compile like the workflow's own: the
compiler finds the modules the way Python would (from the workflow's folder and its packages), reads them
with libcst (never importing them), and keys each step by the module that defines it."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from portaflow.backends.aws.lower.asl import compile_asl, step_idents
from portaflow.compiler import compile_file, ir
from portaflow.compiler.diagnostics import render_all

STEPS = """from portaflow import RetryPolicy, step


@step
def charge(amount: int) -> str:
    return f"charged {amount}"
"""


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # diagnostics show paths relative to the working directory


def project(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path -> source) under ``root``, the working directory; returns the first one's path
    (the workflow's), relative to it."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return Path(next(iter(files)))


def workflow(imports: str, body: str) -> str:
    return f"from portaflow import Context, workflow\n{imports}\n\n@workflow\ndef wf(ctx: Context):\n{body}\n"


def compiled(path: Path) -> ir.Program:
    res = compile_file(path)
    assert not res.errors, render_all(res.errors, res.sources)
    assert res.program is not None
    return res.program


def step_calls(program: ir.Program) -> list[str]:
    return [
        s.step
        for wf in program.workflows.values()
        for s in ir.walk_stmts(wf.body)
        if isinstance(s, (ir.StepCall, ir.MapCall))
    ]


# ---------------------------------------------------------------------------------------------- import forms


@pytest.mark.parametrize(
    ("imports", "call", "key"),
    [
        ("from tools import charge", "charge(1)", "tools.charge"),
        ("from tools import charge as pay", "pay(1)", "tools.charge"),
        ("import tools", "tools.charge(1)", "tools.charge"),
        ("import tools as t", "t.charge(1)", "tools.charge"),
        ("import shop.billing", "shop.billing.charge(1)", "shop.billing.charge"),
        ("import shop.billing as b", "b.charge(1)", "shop.billing.charge"),
        ("from shop import billing", "billing.charge(1)", "shop.billing.charge"),
        ("from shop.billing import charge", "charge(1)", "shop.billing.charge"),
        ("from shop import charge", "charge(1)", "shop.billing.charge"),  # re-exported by shop/__init__.py
        ("import shop", "shop.charge(1)", "shop.billing.charge"),
        ("from loose.billing import charge", "charge(1)", "loose.billing.charge"),  # namespace package
        ("from shop import *", "charge(1)", "shop.billing.charge"),
    ],
)
def test_each_import_form_resolves_to_the_module_that_defines_the_step(
    tmp_path: Path, imports: str, call: str, key: str
) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow(imports, f"    return {call}"),
            "tools.py": STEPS,
            "shop/__init__.py": "from .billing import charge\n",
            "shop/billing.py": STEPS,
            "loose/billing.py": STEPS,
        },
    )
    program = compiled(path)
    assert step_calls(program) == [key]
    module = key.rpartition(".")[0]
    sd = program.steps[key]
    assert (sd.name, sd.function, sd.module, sd.source) == (
        "charge",
        "charge",
        module,
        f"{module.replace('.', '/')}.py",
    )


def test_steps_of_the_workflows_own_module_keep_their_function_name_as_key(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": STEPS + "\n" + workflow("from tools import charge as c2", "    charge(1)\n    c2(2)"),
            "tools.py": STEPS,
        },
    )
    program = compiled(path)
    assert step_calls(program) == ["charge", "tools.charge"]
    assert program.module == "flow"
    assert program.steps["charge"].module == "flow" and program.steps["tools.charge"].module == "tools"


def test_a_workflow_inside_a_package_imports_relatively(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "app/flows/main.py": workflow(
                "from .tools import charge\nfrom . import tools\nfrom ..common.steps import charge as c3",
                "    charge(1)\n    tools.charge(2)\n    c3(3)",
            ),
            "app/__init__.py": "",
            "app/flows/__init__.py": "",
            "app/flows/tools.py": STEPS,
            "app/common/__init__.py": "",
            "app/common/steps.py": STEPS,
        },
    )
    program = compiled(path)
    assert program.module == "app.flows.main"  # as `python -m app.flows.main` imports it
    assert step_calls(program) == [
        "app.flows.tools.charge",
        "app.flows.tools.charge",
        "app.common.steps.charge",
    ]


def test_absolute_imports_are_found_from_the_workflows_folder_then_above_its_packages(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "app/flow.py": workflow(
                "from helpers import charge\nfrom app.billing import charge as c2", "    charge(1)\n    c2(2)"
            ),
            "app/__init__.py": "",
            "app/helpers.py": STEPS,  # next to the file: `python app/flow.py` finds it
            "app/billing.py": STEPS,  # above the package: `python -m app.flow` finds it
        },
    )
    assert step_calls(compiled(path)) == ["helpers.charge", "app.billing.charge"]


# ----------------------------------------------------------------------------------------- step options


def test_decorator_options_are_read_in_the_steps_own_module(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from ops import a, b, c", "    a()\n    b()\n    c()"),
            "ops.py": """
                from portaflow import RetryPolicy as RP, step as durable
                from policies import SLOW

                PATIENT = RP(max_attempts=5, initial_interval="2s", non_retryable=[ValueError])
                TIMEOUT = "45s"

                @durable(retry=RP(max_attempts=2, backoff=3.0), timeout="1m", name="alpha")
                def a(): ...

                @durable(retry=PATIENT, timeout=TIMEOUT)
                def b(): ...

                @durable(retry=SLOW)
                def c(): ...
            """,
            "policies.py": """
                from portaflow import RetryPolicy
                SLOW = RetryPolicy(max_attempts=7, initial_interval="10s")
            """,
        },
    )
    steps = compiled(path).steps
    a, b, c = steps["ops.a"], steps["ops.b"], steps["ops.c"]
    assert (a.name, a.retry.max_attempts, a.retry.backoff, a.timeout_seconds) == ("alpha", 2, 3.0, 60.0)
    assert (b.retry.max_attempts, b.retry.initial_interval, b.timeout_seconds) == (5, 2.0, 45.0)
    assert "ValueError" in b.retry.non_retryable_matches
    assert (c.retry.max_attempts, c.retry.initial_interval) == (7, 10.0)


def test_an_error_in_an_imported_steps_options_points_into_its_file(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from ops import good, bad", "    good()\n    bad()"),
            "ops.py": """
                from portaflow import RetryPolicy, step

                @step
                def good(): ...

                @step(timeout="3x")
                def bad(): ...

                @step(retry=RetryPolicy(attempts=3))
                def unused(): ...
            """,
        },
    )
    res = compile_file(path)
    assert [(d.path, d.line, d.col, d.code) for d in res.errors] == [("ops.py", 6, 15, "PFC012")]
    text = render_all(res.diagnostics, res.sources)
    assert "ops.py:6:15: PFC012" in text and '    @step(timeout="3x")\n' + " " * 18 + "^" in text


def test_the_aws_backend_reports_an_imported_steps_whole_second_limit_in_its_file(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from ops import fast", "    fast()"),
            "ops.py": """
                from portaflow import RetryPolicy, step

                @step(retry=RetryPolicy(initial_interval="250ms"))
                def fast(): ...
            """,
        },
    )
    _, diags = compile_asl(compiled(path))
    assert [(d.path, d.line, d.code) for d in diags] == [("ops.py", 3, "PFC040")]  # at the argument


# ------------------------------------------------------------------------------- child workflows, tables


def test_an_imported_child_workflow_calls_steps_of_its_own_module(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from shop.shipping import ship", "    return ship(ctx, 2)"),
            "shop/__init__.py": "",
            "shop/shipping.py": """
                from portaflow import Context, step, workflow
                from .billing import charge

                @step
                def book(n: int) -> str:
                    return "booked"

                @workflow
                def ship(ctx: Context, n: int):
                    charge(n)
                    return book(n)
            """,
            "shop/billing.py": STEPS,
        },
    )
    program = compiled(path)
    assert set(program.workflows) == {"wf", "shop.shipping.ship"}
    calls = [s for s in program.workflows["wf"].body if isinstance(s, ir.ChildWorkflowCall)]
    assert [c.workflow for c in calls] == ["shop.shipping.ship"]
    child = program.workflows["shop.shipping.ship"]
    assert (child.module, Path(child.source).name) == ("shop.shipping", "shipping.py")
    assert step_calls(program) == ["shop.billing.charge", "shop.shipping.book"]


def test_errors_in_a_child_workflow_are_reported_in_its_module(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from child import sub", "    return sub(ctx)")
            + "\n@workflow\ndef local_child(ctx: Context):\n    print(1)\n\n"
            "@workflow\ndef main(ctx: Context):\n    wf(ctx)\n    return local_child(ctx)\n",
            "child.py": """
                from portaflow import Context, workflow

                @workflow
                def sub(ctx: Context):
                    return undefined_name
            """,
        },
    )
    res = compile_file(path, "main")
    assert [(d.path, d.line, d.code) for d in res.errors] == [
        ("flow.py", 10, "PFC022"),
        ("child.py", 5, "PFC026"),
    ]


def test_recursion_through_another_module_is_refused(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "ping.py": "from portaflow import Context, workflow\nfrom pong import pong\n\n"
            "@workflow\ndef ping(ctx: Context, n: int):\n    return pong(ctx, n)\n",
            "pong.py": "from portaflow import Context, workflow\nfrom ping import ping\n\n"
            "@workflow\ndef pong(ctx: Context, n: int):\n    return ping(ctx, n)\n",
        },
    )
    assert [d.code for d in compile_file(path).errors] == ["PFC032"]


def test_imported_tables_maps_and_parallel_branches_call_imported_steps(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow(
                "import tools\nfrom tools import TOOLS",
                "    a = TOOLS['x'](amount=1)\n    b = ctx.map(tools.charge, [1, 2])\n"
                "    c = ctx.parallel(lambda: tools.charge(3), lambda: tools.refund(4))\n"
                "    return [a, b, c]",
            ),
            "tools.py": STEPS + "\n@step\ndef refund(amount: int) -> str:\n    return 'r'\n\n"
            "TOOLS = {'x': charge, 'y': refund}\n",
        },
    )
    program = compiled(path)
    assert set(step_calls(program)) == {"tools.charge", "tools.refund"}
    assert any(isinstance(s, ir.MapCall) and s.step == "tools.charge" for s in program.workflows["wf"].body)


def test_imported_literal_constants_and_exception_hierarchies_are_visible(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow(
                "from tools import charge, LIMIT\nfrom errors import PaymentError",
                "    try:\n        return charge(LIMIT)\n    except PaymentError:\n        return None",
            ),
            "tools.py": "import cards\n" + STEPS + "\nLIMIT = 100\n",
            "errors.py": "class PaymentError(Exception): ...\n",
            "cards.py": "from errors import PaymentError\n\nclass Declined(PaymentError): ...\n",
        },
    )
    program = compiled(path)
    try_ = program.workflows["wf"].body[0]
    assert isinstance(try_, ir.Try)
    call = try_.body[0]
    assert isinstance(call, ir.StepCall) and call.args == (("amount", ir.Const(100, "int")),)
    assert try_.handlers[0].matches == ("PaymentError", "Declined")  # Declined: a subclass in cards.py


# -------------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("imports", "call", "message"),
    [
        ("import os", "os.getcwd()", "os.getcwd() cannot be called in a workflow: it would run again"),
        ("from json import dumps", "dumps(1)", "dumps() comes from 'json', which is not a module of this"),
        (
            "import pytest",
            "pytest.fail()",
            "pytest.fail() comes from 'pytest', which is not a module of this",
        ),
        (
            "from tools import helper",
            "helper(1)",
            "helper() is a plain function (tools.py:9), not a @step: a decorated function is not inlined",
        ),
        ("import tools", "tools.Order(1)", "tools.Order (tools.py:12) is not a @step or a @workflow"),
        ("from tools import nope", "nope()", "nope(): tools (tools.py) defines no 'nope'"),
        ("import tools", "tools(1)", "tools is a module of the project, not a step"),
        ("from .tools import charge", "charge(1)", "flow.py is not inside a package (no __init__.py"),
        ("from broken import charge", "charge(1)", "charge() is in broken, which does not parse"),
    ],
)
def test_calls_that_are_not_project_steps_are_pfc022_saying_what_they_are(
    tmp_path: Path, imports: str, call: str, message: str
) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow(imports, f"    x = {call}\n    {call}\n    return x"),
            "tools.py": STEPS + "\n@cache\ndef helper(x):\n    return x\n\nclass Order:\n    pass\n",
            "broken.py": "def charge(:\n",
        },
    )
    errors = [d for d in compile_file(path).errors if d.code != "PFC001"]
    assert [d.code for d in errors] == ["PFC022", "PFC022"]  # in an assignment and as a statement
    assert all(message in d.message for d in errors), errors[0].message


def test_a_module_that_does_not_parse_is_pfc001_in_that_file(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {"flow.py": workflow("from broken import charge", "    charge(1)"), "broken.py": "\ndef charge(:\n"},
    )
    res = compile_file(path)
    assert [(d.path, d.line, d.code) for d in res.errors] == [
        ("flow.py", 6, "PFC022"),
        ("broken.py", 1, "PFC001"),
    ]


def test_a_relative_import_above_the_top_level_package_is_refused(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "app/flow.py": workflow("from ..tools import charge", "    charge(1)"),
            "app/__init__.py": "",
            "tools.py": STEPS,
        },
    )
    (err,) = compile_file(path).errors
    assert err.code == "PFC022" and "goes above the top-level package 'app'" in err.message


def test_the_compiler_never_imports_the_projects_modules(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from side_effects import charge", "    return charge(1)"),
            "side_effects.py": f"open({str(marker)!r}, 'w').close()\n" + STEPS,
        },
    )
    assert step_calls(compiled(path)) == ["side_effects.charge"]
    assert not marker.exists() and "side_effects" not in sys.modules


def test_steps_with_one_function_name_in_two_modules_stay_two_steps(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": STEPS
            + "\n"
            + workflow(
                "from cards import charge as card\nimport wallet",
                "    charge(1)\n    card(2)\n    wallet.charge(3)",
            ),
            "cards.py": STEPS,
            "wallet.py": STEPS,
        },
    )
    program = compiled(path)
    assert step_calls(program) == ["charge", "cards.charge", "wallet.charge"]
    assert {sd.name for sd in program.steps.values()} == {"charge"}  # the name the run shows, as locally
    assert step_idents(program) == {
        "charge": "charge",
        "cards.charge": "cards__charge",
        "wallet.charge": "wallet__charge",
    }


# ------------------------------------------------------------------------- imports inside `try` and `if`


@pytest.mark.parametrize(
    "imports",
    [
        "try:\n    from tools import charge\nexcept ImportError:\n    charge = None",
        "try:\n    from tools import charge\nexcept ImportError:\n    from other import charge",
        "try:\n    import json\nexcept ImportError:\n    json = None\nelse:\n    from tools import charge",
        "try:\n    pass\nfinally:\n    from tools import charge",
        "if TYPE_CHECKING:\n    from other import Charge\nelse:\n    from tools import charge",
        "from typing import TYPE_CHECKING\nimport typing\nif typing.TYPE_CHECKING:\n    import other\n"
        "from tools import charge",
        "from tools import charge\nif TYPE_CHECKING:\n    from other import charge  # keeps the import above",
        "if os.environ.get('X'):\n    from other import charge\nfrom tools import charge  # rebinds for sure",
        "if __name__ == '__main__':\n    from other import charge\nelse:\n    from tools import charge",
        "try: from tools import charge\nexcept ImportError: charge = None",
    ],
)
def test_a_module_level_try_or_type_checking_import_binds_the_name_that_runs(
    tmp_path: Path, imports: str
) -> None:
    """``try``: the body's import (the ``except`` clause is a fallback for when it fails); ``if
    TYPE_CHECKING:``: not at run time, its ``else:`` is; a later plain import rebinds an unsure name."""
    path = project(
        tmp_path,
        {
            "flow.py": workflow(
                "import os\nfrom typing import TYPE_CHECKING\n" + imports,
                "    x: Charge = charge(1)\n    return x",
            ),
            "tools.py": STEPS,
            "other.py": STEPS,
        },
    )
    assert step_calls(compiled(path)) == ["tools.charge"]


@pytest.mark.parametrize(
    ("imports", "use", "why", "hint"),
    [
        (
            "if TYPE_CHECKING:\n    from tools import charge",
            "charge(1)",
            "'charge' cannot be resolved: it is bound only under `if TYPE_CHECKING:` (flow.py:4), for type "
            "checkers: it does not exist when the module runs",
            "import it outside `if TYPE_CHECKING:` in flow.py",
        ),
        (
            "if TYPE_CHECKING:\n    import tools",
            "ctx.map(tools.charge, [1, 2])",
            "'tools' cannot be resolved: it is bound only under `if TYPE_CHECKING:` (flow.py:4)",
            "import it outside",
        ),
        (
            "if TYPE_CHECKING:\n    from errors import Declined",
            "None\n    try:\n        c2(1)\n    except Declined:\n        pass",
            "'Declined' cannot be resolved: it is bound only under `if TYPE_CHECKING:`",
            "import it outside",
        ),
        (
            "if os.environ.get('FAST'):\n    from tools import charge\nelse:\n    from other import charge",
            "charge(1)",
            "'charge' cannot be resolved: it is bound inside `if os.environ.get('FAST'):` (flow.py:4): the "
            "compiler reads the source without running it",
            "bind it unconditionally at the top level of flow.py",
        ),
        (
            "if X:\n    pass\nelif Y:\n    LIMIT = 3",
            "LIMIT + 1",
            "'LIMIT' cannot be resolved: it is bound inside `if X:` (flow.py:4)",
            "bind it unconditionally",
        ),
        (
            "try:\n    pass\nexcept ImportError:\n    from tools import charge",
            "charge(1)",
            "'charge' cannot be resolved: it is bound only in the `except ImportError:` clause of the "
            "`try` at flow.py:4, which runs only when the `try` fails",
            "bind it in the `try` body too",
        ),
    ],
)
def test_a_name_bound_only_conditionally_is_pfc026_saying_where_and_why(
    tmp_path: Path, imports: str, use: str, why: str, hint: str
) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow(
                f"import os\nfrom typing import TYPE_CHECKING\n{imports}\nfrom other import charge as c2",
                f"    c2(0)\n    x = {use}\n    return x",
            ),
            "tools.py": STEPS,
            "other.py": STEPS,
            "errors.py": "class Declined(Exception): ...\n",
        },
    )
    (err,) = compile_file(path).errors
    assert err.code == "PFC026" and err.path == "flow.py"
    assert err.message == f"name {why}" or err.message.startswith(f"name {why}"), err.message
    assert err.hint.startswith(hint), err.hint


def test_a_conditional_step_in_an_imported_module_points_into_that_module(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow("from tools import charge", "    return charge(1)"),
            "tools.py": "import os\nfrom portaflow import step\n\nif os.environ.get('LIVE'):\n\n"
            "    @step\n    def charge(amount: int) -> int:\n        return amount\n",
        },
    )
    (err,) = compile_file(path).errors
    assert err.code == "PFC026" and (err.path, err.line) == ("flow.py", 6)
    assert "it is bound inside `if os.environ.get('LIVE'):` (tools.py:4)" in err.message
    assert "at the top level of tools.py" in err.hint


def test_a_try_import_from_outside_the_project_says_the_except_fallback_is_not_followed(
    tmp_path: Path,
) -> None:
    path = project(
        tmp_path,
        {
            "flow.py": workflow(
                "try:\n    from fastpay import charge\nexcept ImportError:\n    from tools import charge",
                "    return charge(1)",
            ),
            "tools.py": STEPS,
        },
    )
    (err,) = compile_file(path).errors
    assert err.code == "PFC022"
    assert "comes from 'fastpay'" in err.message
    assert "the compiler follows the `try` body's import, not the `except` clause at line 4" in err.message


def test_a_timedelta_constant_imported_from_another_module_is_read_as_one_of_its_own(tmp_path: Path) -> None:
    path = project(
        tmp_path,
        {
            "shop/flow.py": workflow(
                "from .config import PLAIN as WAIT\nfrom shop.config import WINDOW",
                "    ctx.sleep(WAIT)\n    return str(WINDOW)",
            ),
            "shop/__init__.py": "",
            "shop/config.py": "from datetime import timedelta\n\n"
            "WINDOW = timedelta(hours=4, minutes=MINUTES)\nMINUTES = 30\nPLAIN = timedelta(hours=2)\n",
        },
    )
    program = compiled(path)
    sleep, ret = program.workflows["wf"].body
    assert isinstance(sleep, ir.Sleep) and isinstance(ret, ir.Return) and ret.value is not None
    hours = tuple(ir.Const(v, "int") for v in (0, 0, 0, 0, 0, 2, 0))
    assert sleep.seconds == ir.Call("timedelta", hours, (), "timedelta")
    (window,) = ret.value.args  # type: ignore[attr-defined]
    assert [a.value for a in window.args] == [0, 0, 0, 0, 30, 4, 0]
