"""Write a deployable AWS SAM project for a compiled workflow (rendered from ``portaflow/templates/aws``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jinja2

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic

from .asl import compile_asl, logical_id

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "aws"


def local_imports(source_path: Path) -> list[Path]:
    """Modules and packages next to the workflow's file that it imports at top level (copied into the
    Lambda package so the steps can import them)."""
    import libcst as cst

    module = cst.parse_module(source_path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    names.add(module.code_for_node(alias.name).split(".")[0])
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                names.add(module.code_for_node(small.module).split(".")[0])
    found = []
    for n in sorted(names):
        for candidate in (source_path.parent / f"{n}.py", source_path.parent / n):
            if candidate.exists() and candidate != source_path:
                found.append(candidate)
                break
    return found


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def render_project(
    program: ir.Program, source_path: Path, out: Path
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Compile and write the project into ``out``; returns the definition and the diagnostics."""
    definition, diags = compile_asl(program)
    if any(d.severity == "error" for d in diags):
        return definition, diags
    steps = []
    for key, sd in program.steps.items():
        lambda_timeout = max(30, int(sd.timeout_seconds or 0) + 5) if sd.timeout_seconds else 900
        steps.append(
            {
                "function": key,
                "name": sd.name,
                "logical_id": logical_id(key),
                "lambda_timeout": lambda_timeout,
            }
        )
    ctx = {
        "workflow": program.workflows[program.entry].name,
        "source": source_path.name,
        "module": program.module,
        "steps": steps,
        "machine_name": "portaflow-" + program.workflows[program.entry].name.replace("_", "-"),
        "warnings": [f"{d.code} line {d.line}: {d.message}" for d in diags if d.severity == "warning"],
    }
    env = _env()
    out.mkdir(parents=True, exist_ok=True)
    (out / "src").mkdir(exist_ok=True)
    (out / "statemachine.asl.json").write_text(json.dumps(definition, indent=2) + "\n")
    (out / "template.yaml").write_text(env.get_template("template.yaml.j2").render(**ctx))
    (out / "README.md").write_text(env.get_template("README.md.j2").render(**ctx))
    (out / "src" / "portaflow_handler.py").write_text(env.get_template("handler.py.j2").render(**ctx))
    shutil.copyfile(source_path, out / "src" / f"{program.module}.py")
    for sibling in local_imports(source_path):
        dest = out / "src" / sibling.name
        if sibling.is_dir():
            shutil.copytree(sibling, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(sibling, dest)
    (out / "src" / "requirements.txt").write_text("portaflow\n")
    return definition, diags
