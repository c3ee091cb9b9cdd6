"""The command line as a user runs it: exit codes, formats, selection, config, noqa, --fix and --diff."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from lint_helpers import REPO_ROOT, write_tree

from portaflow.lint.cli import add_parser, main

FLOWS = """\
import time
import requests
from portaflow import workflow

@workflow
def wf(ctx, url):
    started = time.time()
    body = requests.get(url).text
    return started, body
"""
HELPERS_FLOWS = """\
from portaflow import workflow
from helpers import stamp

@workflow
def wf(ctx):
    return stamp()
"""
HELPERS = "import uuid\n\ndef stamp():\n    return uuid.uuid4()\n"
CLEAN = "from portaflow import workflow\n\n@workflow\ndef wf(ctx):\n    return ctx.now()\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(*args: str) -> int:
    return main(list(args))


def test_clean_code_exits_0_and_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"flows.py": CLEAN})
    assert run_cli() == 0
    assert capsys.readouterr().out == "All checks passed!\n"


def test_findings_exit_1_with_path_line_col_code_message_and_help(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {"flows.py": FLOWS})
    assert run_cli(".") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "flows.py:7:15: PF101 `time.time()` reads the wall clock, which returns another value when the "
        "workflow replays"
    )
    assert out[1] == "  in workflow `wf`"
    assert out[2] == "  fix: replace with `ctx.now().timestamp()` (fixable with --fix)"
    assert out[3].startswith("flows.py:8:12: PF105 `requests.get()`")
    assert out[5] == "  help: move the I/O into a `@step` function and call that step from the workflow"
    assert out[-1] == "Found 2 findings in 1 file. 1 fixable with --fix."


def test_text_output_shows_the_call_chain(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"flows.py": HELPERS_FLOWS, "helpers.py": HELPERS})
    assert run_cli() == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "helpers.py:4:12: PF103 `uuid.uuid4()` makes a new identifier on every replay",
        "  in workflow `wf`:",
        "    flows.py:6:12: `wf` calls `stamp`",
        "  help: use `ctx.uuid4()` (recorded in the history), or `ctx.idempotency_key()` for a step's key; "
        "no automatic fix here: no workflow Context is in scope "
        "(pass the workflow's ctx to this function as a parameter annotated `Context`)",
    ]


def test_json_output_has_one_object_per_finding_with_positions_chain_and_fix(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {"flows.py": HELPERS_FLOWS, "helpers.py": HELPERS})
    assert run_cli("--format", "json") == 1
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 1
    item = data[0]
    assert {k: item[k] for k in ("path", "line", "col", "end_line", "end_col", "code", "fix_available")} == {
        "path": "helpers.py",
        "line": 4,
        "col": 12,
        "end_line": 4,
        "end_col": 24,
        "code": "PF103",
        "fix_available": False,
    }
    assert item["chain"] == [
        {"caller": "flows.wf", "callee": "helpers.stamp", "path": "flows.py", "line": 6, "col": 12}
    ]
    assert item["message"].startswith("`uuid.uuid4()`")
    assert item["workflows"] == ["flows.wf"]


def test_sarif_output_is_a_sarif_2_1_0_log(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"flows.py": HELPERS_FLOWS, "helpers.py": HELPERS})
    assert run_cli("--format", "sarif") == 1
    log = json.loads(capsys.readouterr().out)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "PF101" in rule_ids and "PF110" in rule_ids
    (result,) = run["results"]
    assert result["ruleId"] == "PF103"
    assert rule_ids[result["ruleIndex"]] == "PF103"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (4, 12)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "helpers.py"
    flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [step["location"]["physicalLocation"]["artifactLocation"]["uri"] for step in flow] == [
        "flows.py",
        "helpers.py",
    ]


def test_json_output_of_clean_code_is_an_empty_list(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {"flows.py": CLEAN})
    assert run_cli("--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_select_and_ignore_on_the_command_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"flows.py": FLOWS})
    assert run_cli("--select", "PF105", "--format", "json") == 1
    assert [f["code"] for f in json.loads(capsys.readouterr().out)] == ["PF105"]
    assert run_cli("--ignore", "PF101,PF105") == 0
    capsys.readouterr()
    assert run_cli("--select", "PF1", "--ignore", "PF105", "--format", "json") == 1
    assert [f["code"] for f in json.loads(capsys.readouterr().out)] == ["PF101"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "PF999"], "unknown rule code or prefix 'PF999'"),
        (["--ignore", "XYZ"], "unknown rule code or prefix 'XYZ'"),
        (["missing_dir"], "path not found: missing_dir"),
        (["--config", "nope.toml"], "config file not found: nope.toml"),
    ],
)
def test_usage_errors_print_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    write_tree(project, {"flows.py": CLEAN})
    assert run_cli(*args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("[tool.portaflow.lint\n", "invalid TOML"),
        ('[tool.portaflow.lint]\nselect = "PF1x"\n', "unknown rule code or prefix 'PF1x'"),
        ("[tool.portaflow.lint]\nselect = [1]\n", "expected a list of strings"),
        ("[tool.portaflow.lint]\ncolour = true\n", "unknown key 'colour'"),
        ("[tool.portaflow.lint]\nper-file-ignores = 3\n", "per-file-ignores: expected a table"),
        ('[tool.portaflow.lint.per-file-ignores]\n"a.py" = ["PF9"]\n', "unknown rule code or prefix 'PF9'"),
    ],
)
def test_bad_configuration_prints_one_line_and_exits_2(
    project: Path, capsys: pytest.CaptureFixture[str], pyproject: str, message: str
) -> None:
    write_tree(project, {"flows.py": CLEAN, "pyproject.toml": pyproject})
    assert run_cli() == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_pyproject_select_ignore_exclude_and_per_file_ignores(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": """
[tool.portaflow.lint]
select = ["PF1"]
ignore = ["PF105"]
exclude = ["legacy"]
extend-exclude = ["generated"]

[tool.portaflow.lint.per-file-ignores]
"tests/*" = ["PF101"]
""",
            "flows.py": FLOWS,
            "tests/test_flows.py": FLOWS,
            "legacy/old.py": FLOWS,
            "generated/made.py": FLOWS,
        },
    )
    assert run_cli("--format", "json") == 1
    found = [(f["path"], f["code"]) for f in json.loads(capsys.readouterr().out)]
    assert found == [("flows.py", "PF101")]


def test_config_is_found_from_a_subfolder_and_patterns_are_relative_to_it(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.portaflow.lint]\nexclude = ["src/gen/*.py"]\n',
            "src/gen/made.py": FLOWS,
            "src/app.py": CLEAN,
        },
    )
    monkeypatch.chdir(project / "src")
    assert run_cli(".") == 0


def test_noqa_bare_and_with_codes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = FLOWS.replace("time.time()", "time.time()  # noqa").replace(
        "requests.get(url).text", "requests.get(url).text  # noqa: E501, PF105"
    )
    write_tree(project, {"flows.py": code})
    assert run_cli() == 0
    write_tree(project, {"flows.py": FLOWS.replace("time.time()", "time.time()  # noqa: PF105")})
    assert run_cli("--select", "PF101") == 1


def test_a_syntax_error_is_reported_with_its_position_and_other_files_are_linted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {"bad.py": "x = (\n", "flows.py": FLOWS})
    assert run_cli("--format", "json") == 1
    found = [(f["path"], f["code"], f["line"]) for f in json.loads(capsys.readouterr().out)]
    assert found[0][:2] == ("bad.py", "PF001") and found[0][2] >= 1
    assert [c for _, c, _ in found[1:]] == ["PF101", "PF105"]


def test_fix_rewrites_in_place_reports_what_is_left_and_keeps_formatting(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {"flows.py": FLOWS})
    assert run_cli("--fix") == 1
    out = capsys.readouterr().out
    assert out.startswith("Fixed 1 finding.\nThese could not be fixed automatically:\nflows.py:7:12: PF105")
    text = (project / "flows.py").read_text()
    assert "started = ctx.now().timestamp()" in text and "import time\n" not in text
    assert "body = requests.get(url).text" in text
    cst.parse_module(text)


def test_fix_exits_0_when_everything_was_fixed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"flows.py": FLOWS.replace("requests.get(url).text", "url")})
    assert run_cli("--fix") == 0
    assert capsys.readouterr().out == "Fixed 1 finding.\nAll checks passed!\n"
    assert run_cli() == 0


def test_diff_shows_the_fix_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(project, {"flows.py": FLOWS})
    assert run_cli("--diff") == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("--- a/flows.py\n+++ b/flows.py\n")
    assert "-    started = time.time()\n+    started = ctx.now().timestamp()\n" in captured.out
    assert "1 finding would be fixed; 1 cannot be fixed automatically." in captured.err
    assert (project / "flows.py").read_text() == FLOWS


def test_exit_zero(project: Path) -> None:
    write_tree(project, {"flows.py": FLOWS})
    assert run_cli("--exit-zero") == 0


def test_excluded_file_named_on_the_command_line_is_skipped(project: Path) -> None:
    write_tree(
        project, {"pyproject.toml": '[tool.portaflow.lint]\nexclude = ["gen_*.py"]\n', "gen_a.py": FLOWS}
    )
    assert run_cli("gen_a.py") == 0


def test_add_parser_registers_a_lint_subcommand_with_a_handler(project: Path) -> None:
    write_tree(project, {"flows.py": FLOWS})
    parser = argparse.ArgumentParser(prog="portaflow")
    subparsers = parser.add_subparsers(dest="command")
    add_parser(subparsers)
    args = parser.parse_args(["lint", "flows.py", "--select", "PF101"])
    assert args.handler(args) == 1


def test_python_dash_m_runs_without_importing_the_linted_code(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    write_tree(tmp_path, {"flows.py": f"open({str(marker)!r}, 'w').close()\n" + FLOWS})
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "portaflow.lint", "flows.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert "PF101" in proc.stdout and "PF105" in proc.stdout
    assert not marker.exists()


def test_an_engine_failure_in_one_function_is_reported_and_the_rest_still_checked(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import portaflow.lint.runner as runner

    real = runner.analyze_function

    def flaky(resolver, ruleset, function):  # type: ignore[no-untyped-def]
        if function.qualname == "broken.wf":
            raise RecursionError("too deep")
        return real(resolver, ruleset, function)

    monkeypatch.setattr(runner, "analyze_function", flaky)
    write_tree(project, {"flows.py": FLOWS, "broken.py": FLOWS})
    assert run_cli("--select", "PF101") == 1
    captured = capsys.readouterr()
    assert "flows.py:7:15: PF101" in captured.out
    assert "internal error, not checked: broken.py: broken.wf: RecursionError: too deep" in captured.err
