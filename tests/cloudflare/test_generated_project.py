"""The generated Cloudflare Workers project: its src/index.ts matches the golden files (`pytest
--update-goldens` rewrites them), every project type-checks with `tsc --noEmit` against
@cloudflare/workers-types (the versions the project pins), and `wrangler deploy --dry-run` builds one as a
deploy would. What the generated code does is the conformance suite's cloudflare column."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conformance.columns import load_module, scenario_files, scenario_workflow
from conformance.example_scenarios import EXAMPLE_SCENARIOS

from portaflow.backends import get
from portaflow.compiler.pipeline import compile_for

ROOT = Path(__file__).parents[2]
SCENARIOS = scenario_files()
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if p.stem != "fake_llm")
GOLDENS = Path(__file__).parent / "goldens"
REFUSED_EXAMPLES = {
    path: sc["refuses"]["cloudflare"]
    for path, sc in EXAMPLE_SCENARIOS.values()
    if "cloudflare" in sc.get("refuses", {})
}


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("cloudflare")
    for src in [*SCENARIOS, *EXAMPLES]:
        compiled = compile_for(src, scenario_workflow(src), get("cloudflare"))
        if compiled.errors and src in SCENARIOS:  # a scenario that checks the refusal has no project
            refused = load_module(src).SCENARIO.get("refuses", {}).get("cloudflare")
            assert {d.code for d in compiled.errors} == {refused}, (src, compiled.errors)
            continue
        if compiled.errors and src in REFUSED_EXAMPLES:  # named in example_scenarios.py, with why
            assert {d.code for d in compiled.errors} == {REFUSED_EXAMPLES[src]}, (src, compiled.errors)
            continue
        assert compiled.project is not None and not compiled.errors, (src, compiled.errors)
        compiled.project.write(base / src.stem)
        out[src.stem] = base / src.stem
    return out


def test_generated_workflows_match_goldens(projects: dict[str, Path], request: pytest.FixtureRequest) -> None:
    update = os.environ.get("PORTAFLOW_UPDATE_GOLDENS") == "1" or request.config.getoption("update_goldens")
    GOLDENS.mkdir(exist_ok=True)
    for name, p in projects.items():
        got = (p / "src" / "index.ts").read_text(encoding="utf-8")
        golden = GOLDENS / f"{name}.index.ts"
        if update:
            golden.write_text(got, encoding="utf-8")
            continue
        assert golden.exists(), f"{name}: no golden file; create it with pytest --update-goldens"
        assert got == golden.read_text(encoding="utf-8"), (
            f"{name}: generated src/index.ts changed; review and rerun with pytest --update-goldens"
        )


def test_every_project_has_what_a_deploy_needs(projects: dict[str, Path]) -> None:
    for name, p in projects.items():
        pkg = json.loads((p / "package.json").read_text())
        assert all(not v.startswith(("^", "~")) for v in pkg["devDependencies"].values()), name  # pinned
        wrangler = (p / "wrangler.jsonc").read_text()
        assert '"binding": "WORKFLOW"' in wrangler and '"main": "src/index.ts"' in wrangler, name
        assert (p / "src" / "runtime" / "durable.ts").exists() and (p / "tsconfig.json").exists(), name


def test_every_project_type_checks(projects: dict[str, Path], cf_node_modules: Path) -> None:
    """One `tsc --noEmit` over every project (each with its own runtime copy), strict, against the
    workers types: the generated code and the runtime are well-typed TypeScript."""
    base = next(iter(projects.values())).parent
    config = json.loads((next(iter(projects.values())) / "tsconfig.json").read_text())
    config["include"] = [f"{name}/src/**/*.ts" for name in projects]
    (base / "tsconfig.json").write_text(json.dumps(config))
    link = base / "node_modules"
    if not link.exists():
        link.symlink_to(cf_node_modules, target_is_directory=True)
    r = subprocess.run(
        [str(cf_node_modules / ".bin" / "tsc"), "--noEmit", "-p", str(base)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


def test_wrangler_dry_run_builds_the_worker(projects: dict[str, Path], cf_node_modules: Path) -> None:
    p = projects["s01_sequential"]
    link = p / "node_modules"
    if not link.exists():
        link.symlink_to(cf_node_modules, target_is_directory=True)
    env = {**os.environ, "WRANGLER_SEND_METRICS": "false", "CI": "1", "HOME": str(p)}
    r = subprocess.run(
        [str(cf_node_modules / ".bin" / "wrangler"), "deploy", "--dry-run", "--outdir", str(p / "dist")],
        cwd=p,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "WORKFLOW" in r.stdout and (p / "dist" / "index.js").exists(), r.stdout
