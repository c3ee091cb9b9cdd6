"""Every generated definition passes asl-validator (npm, pinned 4.0.0), every template passes cfn-lint,
the definitions of the conformance scenarios and of the examples match their golden files
(`pytest --update-goldens` rewrites them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conformance.columns import load_module, scenario_files, scenario_workflow

from portaflow.backends import get
from portaflow.compiler.pipeline import compile_for

ROOT = Path(__file__).parents[2]
SCENARIOS = scenario_files()
EXAMPLES = [ROOT / "examples" / f"{n}.py" for n in ("support_agent", "refund_saga", "research_agent")]
GOLDENS = Path(__file__).parent / "goldens"


def _tool(name: str) -> str | None:
    local = ROOT / "node_modules" / ".bin" / name
    return str(local) if local.exists() else shutil.which(name)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("aws")
    for src in [*SCENARIOS, *EXAMPLES]:
        compiled = compile_for(src, scenario_workflow(src), get("aws"))
        if compiled.errors and src in SCENARIOS:  # a scenario that checks aws's refusal has no project
            refused = load_module(src).SCENARIO.get("refuses", {}).get("aws")
            assert {d.code for d in compiled.errors} == {refused}, src
            continue
        assert compiled.project is not None and not compiled.errors, src
        compiled.project.write(base / src.stem)
        out[src.stem] = base / src.stem
    return out


def _missing(why: str) -> None:
    """CI must run every validator (its test command installs them); a developer's run may skip."""
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def test_every_definition_passes_asl_validator(projects: dict[str, Path]) -> None:
    tool = _tool("asl-validator")
    if tool is None:
        _missing("asl-validator not installed: bash scripts/test.sh installs it (npm asl-validator@4.0.0)")
    args = [tool]
    for p in projects.values():
        args += ["--json-path", str(p / "statemachine.asl.json")]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_template_passes_cfn_lint(projects: dict[str, Path]) -> None:
    tool = shutil.which("cfn-lint")
    if tool is None:
        _missing("cfn-lint not installed: bash scripts/test.sh installs it (pip extra 'test')")
    r = subprocess.run(
        [tool, *[str(p / "template.yaml") for p in projects.values()]],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_generated_asl_matches_goldens(projects: dict[str, Path], request: pytest.FixtureRequest) -> None:
    update = os.environ.get("PORTAFLOW_UPDATE_GOLDENS") == "1" or request.config.getoption("update_goldens")
    GOLDENS.mkdir(exist_ok=True)
    for name, p in projects.items():
        got = json.loads((p / "statemachine.asl.json").read_text())
        golden = GOLDENS / f"{name}.asl.json"
        if update:
            golden.write_text(json.dumps(got, indent=2) + "\n")
            continue
        assert golden.exists(), f"{name}: no golden file; create it with pytest --update-goldens"
        assert got == json.loads(golden.read_text()), (
            f"{name}: generated ASL changed; review and rerun with pytest --update-goldens"
        )


def test_project_has_handlers_for_every_step_and_least_privilege_roles(projects: dict[str, Path]) -> None:
    p = projects["s11_saga_compensation"]
    handler = (p / "src" / "portaflow_handler.py").read_text()
    for fn in ("reserve", "charge", "release"):
        assert f"def handle_{fn}(event, context)" in handler
    template = (p / "template.yaml").read_text()
    assert "lambda:InvokeFunction" in template and "!GetAtt StepChargeFunction.Arn" in template
    assert "dynamodb:PutItem" in template and "states:SendTaskSuccess" in template
    assert 'Action: "*"' not in template and "Action: '*'" not in template


def _run_handler(src: Path, calls: str) -> str:
    """Import the generated handlers the way Lambda does (the package's folder on sys.path, in a fresh
    process) and print what ``calls`` (an expression over ``h``, the handler module) returns."""
    env = {
        **os.environ,
        "PYTHONPATH": str(src),  # what the package ships is all it needs of portaflow
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    script = f"import portaflow_handler as h\nprint({calls})\n"
    r = subprocess.run(
        [sys.executable, "-c", script], cwd=src, env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_the_lambda_package_ships_the_step_call_core_it_shares_with_the_step_host(
    projects: dict[str, Path],
) -> None:
    """The runtime imports ``portaflow.stepcall``: the package carries that very file, and a handler
    imports it from there (nothing of portaflow is installed in a Lambda function)."""
    import portaflow.stepcall

    src = projects["s01_sequential"] / "src"
    shipped = src / "portaflow" / "stepcall.py"
    assert shipped.read_bytes() == Path(portaflow.stepcall.__file__).read_bytes()
    imported = _run_handler(src, "h.runtime.call_step.__module__, __import__('portaflow').stepcall.__file__")
    assert imported == f"portaflow.stepcall {shipped}"


def test_imported_steps_are_deployed_with_their_modules_and_called_from_them(
    projects: dict[str, Path],
) -> None:
    p = projects["s46_aliased_imports"]
    src = p / "src"
    # the workflow's module and the package it imports, with its __init__.py, are in the Lambda package
    assert {f.relative_to(src).as_posix() for f in src.rglob("*.py")} >= {
        "s46_aliased_imports.py",
        "payments/__init__.py",
        "payments/cards.py",
        "payments/wallet.py",
        "payments/ledger.py",
        "payments/notify.py",
    }
    handler = (src / "portaflow_handler.py").read_text()
    assert "import payments.cards as " in handler and "import payments.wallet as " in handler
    template = (p / "template.yaml").read_text()
    # two steps named charge, from two modules: two functions, two handlers
    for ident, lid in (
        ("payments__cards__charge", "StepPaymentsCardsChargeFunction"),
        ("payments__wallet__charge", "StepPaymentsWalletChargeFunction"),
    ):
        assert f"def handle_{ident}(event, context)" in handler
        assert f"Handler: portaflow_handler.handle_{ident}" in template
        assert f"StepFn_{ident}: !GetAtt {lid}.Arn" in template
    out = _run_handler(
        src,
        "h.handle_payments__cards__charge({'args': {'amount': 7}}, None), "
        "h.handle_payments__wallet__charge({'args': {'amount': 8}}, None)",
    )
    assert out == "card:7 wallet:8"


def test_a_workflow_inside_a_package_is_deployed_as_that_package(projects: dict[str, Path]) -> None:
    src = projects["s45_package_relative_imports"] / "src"
    assert {
        f.relative_to(src).as_posix() for f in src.rglob("*.py") if f.parts[len(src.parts)] != "portaflow"
    } == {
        "portaflow_handler.py",
        "portaflow_aws_runtime.py",
        "webshop/__init__.py",
        "webshop/billing.py",
        "webshop/errors.py",
        "webshop/inventory.py",
        "webshop/shipping.py",
        "webshop/s45_package_relative_imports.py",
    }
    assert (
        _run_handler(src, "h.handle_webshop__inventory__quote({'args': {'cart': ['pen', 'book']}}, None)")
        == "15"
    )


def test_every_jsonata_function_name_is_mangled() -> None:
    """A workflow variable named like any function jsonata-python defines is renamed (it would shadow it)."""
    import re

    import jsonata

    from portaflow.backends.aws.lower.jsonata import JSONATA_NAMES, variable_name

    src = (Path(jsonata.__file__).parent / "jsonata.py").read_text()
    defined = set(re.findall(r'define_function\("(\w+)"', src))
    assert defined and defined <= JSONATA_NAMES
    assert {"states", "uuid", "parse", "partition", "hash", "range"} <= JSONATA_NAMES
    assert variable_name("count") == "pf_v_count" and variable_name("total") == "total"
