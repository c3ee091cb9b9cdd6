"""One parser of FILE[:WORKFLOW] for `portaflow run`, `compile` and `graph`."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaflow.source.refs import WorkflowRef, parse_ref, split_ref


@pytest.mark.parametrize(
    ("ref", "file", "workflow"),
    [
        ("a.py", "a.py", None),
        ("a.py:wf", "a.py", "wf"),
        ("a.py:", "a.py", None),
        ("pkg/mod.py", "pkg/mod.py", None),
        ("pkg/mod.py:parent-flow", "pkg/mod.py", "parent-flow"),
        ("./pkg/mod.py:wf", "./pkg/mod.py", "wf"),
        ("C:\\flows\\a.py", "C:\\flows\\a.py", None),
        ("C:\\flows\\a.py:wf", "C:\\flows\\a.py", "wf"),
        ("C:/flows/a.py:wf", "C:/flows/a.py", "wf"),
        ("C:a.py", "C:a.py", None),
        ("/tmp/x:y/a.py", "/tmp/x:y/a.py", None),
        ("/tmp/x:y/a.py:wf", "/tmp/x:y/a.py", "wf"),
        (":wf", ":wf", None),
    ],
)
def test_a_reference_splits_at_the_last_colon_that_names_a_workflow(
    ref: str, file: str, workflow: str | None
) -> None:
    assert parse_ref(ref) == WorkflowRef(file, workflow)
    assert split_ref(ref) == (Path(file), workflow)


def test_a_file_whose_name_contains_a_colon_wins(tmp_path: Path) -> None:
    odd = tmp_path / "flow.py:wf"
    odd.write_text("")
    assert parse_ref(str(odd)) == WorkflowRef(str(odd), None)
    assert parse_ref(f"{odd}:other") == WorkflowRef(str(odd), "other")
    assert parse_ref(str(tmp_path / "flow.py:nope")) == WorkflowRef(str(tmp_path / "flow.py"), "nope")


def test_run_and_compile_read_a_reference_alike(tmp_path: Path) -> None:
    """`portaflow run` (the loader) and `portaflow compile` find the same file and workflow."""
    from portaflow.compiler.cli import main
    from portaflow.local_engine.loader import load_target

    flow = tmp_path / "source_refs_two_flows.py"
    flow.write_text(
        "from portaflow import Context, workflow\n\n\n"
        "@workflow\ndef a(ctx: Context) -> int:\n    return 1\n\n\n"
        "@workflow(name='b-flow')\ndef b(ctx: Context) -> int:\n    return 2\n"
    )
    assert load_target(f"{flow}:b-flow").name == "b-flow"
    assert main(["compile", f"{flow}:b-flow"]) == 0
    assert main(["compile", f"{flow}:a"]) == 0
    assert load_target(f"{flow}:a").fn.__name__ == "a"
