"""Lint and the compiler agree on which decorators are portaflow's ``@step``/``@workflow``: both resolve the
decorator through the module's imports (portaflow.source.names), so a ``@step`` from another library is a
plain function to both, and an alias or a re-export of portaflow's is a step to both."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from portaflow.compiler import compile_file, compile_source
from portaflow.compiler.frontend import Frontend
from portaflow.lint.engine.project import Project

# (header of flow.py, decorator, other files of the project, what `charge` is)
SPELLINGS: list[tuple[str, str, dict[str, str], str | None]] = [
    ("from portaflow import step", "@step", {}, "step"),
    ("from portaflow import step", "@step(retries=3)", {}, "step"),
    ("import portaflow as pf", "@pf.step(retries=3)", {}, "step"),
    ("import portaflow", "@portaflow.step", {}, "step"),
    ("from portaflow import step as activity", "@activity", {}, "step"),
    ("from portaflow.dsl import step", "@step", {}, "step"),
    ("from portaflow.dsl.decorators import step", "@step", {}, "step"),
    ("import portaflow.dsl", "@portaflow.dsl.step", {}, "step"),
    ("", "@step", {}, "step"),  # a snippet that does not import it: the DSL's
    ("from portaflow import *", "@step", {}, "step"),
    ("import portaflow\nactivity = portaflow.step", "@activity", {}, "step"),
    ("from mylib import step", "@step", {"mylib.py": "from portaflow import step\n"}, "step"),
    ("import mylib", "@mylib.step", {"mylib/__init__.py": "from portaflow import step as step\n"}, "step"),
    ("from mylib import *", "@step", {"mylib.py": "from portaflow import step\n"}, "step"),
    # Python imports the package, not the module beside it: so do lint and the compiler
    (
        "from mylib import step",
        "@step",
        {"mylib.py": "def step(f):\n    return f\n", "mylib/__init__.py": "from portaflow import step\n"},
        "step",
    ),
    ("from ns.deco import step", "@step", {"ns/deco.py": "from portaflow import step\n"}, "step"),
    ("from portaflow import workflow as step", "@step", {}, "workflow"),
    ("from portaflow import workflow", "@workflow", {}, "workflow"),
    ("import portaflow as pf", "@pf.workflow(name='x')", {}, "workflow"),
    ("from celery import step", "@step", {}, None),
    ("from celery import step", "@step(retries=3)", {}, None),
    ("import celery", "@celery.step", {}, None),
    ("import celery as pf", "@pf.step", {}, None),
    ("def step(f):\n    return f", "@step", {}, None),
    ("from mylib import step", "@step", {"mylib.py": "def step(f):\n    return f\n"}, None),
    ("from mylib import *", "@step", {"mylib.py": "def step(f):\n    return f\n"}, None),
    ("from mylib import *", "@step", {"mylib.py": "X = 1\n"}, None),
    ("from portaflow import step\nimport functools", "@functools.cache", {}, None),
]


def _project(tmp_path: Path, header: str, decorator: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    flow = tmp_path / "flow.py"
    flow.write_text(f"{header}\n\n\n{decorator}\ndef charge(amount: int) -> int:\n    return amount\n")
    return flow


def lint_view(flow: Path) -> str | None:
    project = Project(display=str, is_excluded=lambda _: False)
    info = project.load(flow)
    assert info is not None
    project.classify(info)
    kind = info.functions["charge"].kind
    return None if kind == "function" else kind


def compiler_view(flow: Path) -> str | None:
    fe = Frontend(str(flow), flow.read_text(encoding="utf-8"))
    info = fe.parse()
    assert info is not None
    if "charge" in info.steps:
        return "step"
    return "workflow" if "charge" in info.workflows else None


@pytest.mark.parametrize(("header", "decorator", "files", "expected"), SPELLINGS)
def test_lint_and_the_compiler_agree_on_what_a_decorator_is(
    tmp_path: Path, header: str, decorator: str, files: dict[str, str], expected: str | None
) -> None:
    flow = _project(tmp_path, header, decorator, files)
    assert (lint_view(flow), compiler_view(flow)) == (expected, expected)


def test_a_step_of_another_library_called_from_a_workflow_is_pfc022(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It used to compile into a Lambda step while lint (and portaflow run) saw a plain function."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flow.py").write_text(
        textwrap.dedent(
            """\
            from celery import step
            from portaflow import Context, workflow


            @step
            def charge(amount: int) -> int:
                return amount


            @workflow
            def pay(ctx: Context, amount: int) -> int:
                return charge(amount)
            """
        )
    )
    (err,) = compile_file("flow.py").errors
    assert (err.code, err.line) == ("PFC022", 12)
    assert err.message == (
        "charge() is a plain function (flow.py:6, whose @step is celery.step, not portaflow's), not a @step"
    )


def test_an_aliased_step_compiles_into_the_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flow.py").write_text(
        textwrap.dedent(
            """\
            import portaflow as pf
            from portaflow import step as activity


            @activity
            def charge(amount: int) -> int:
                return amount


            @pf.workflow
            def pay(ctx: pf.Context, amount: int) -> int:
                return charge(amount)
            """
        )
    )
    res = compile_file("flow.py")
    assert res.errors == [] and res.program is not None
    assert list(res.program.steps) == ["charge"]


def test_a_decorator_imported_in_a_cycle_is_resolved_without_looping(tmp_path: Path) -> None:
    """flow imports its decorator from helpers, which imports from flow: the finder meets flow while it
    is being read and stops there."""
    files = {"helpers.py": "from flow import thing\nfrom portaflow import step as deco\n"}
    flow = _project(tmp_path, "from helpers import deco\nthing = 1", "@deco", files)
    assert (lint_view(flow), compiler_view(flow)) == ("step", "step")


def test_a_workflow_decorator_of_another_library_is_named_in_pfc002() -> None:
    source = "from celery import workflow\n\n\n@workflow\ndef pay(ctx):\n    return 1\n"
    (err,) = compile_source(source, "flow.py").errors
    assert (err.code, err.message) == ("PFC002", "the module defines no @workflow function")
    assert err.hint == "pay's @workflow is celery.workflow, not portaflow's: import workflow from portaflow"
