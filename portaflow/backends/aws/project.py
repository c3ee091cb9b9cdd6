"""Write a deployable AWS SAM project for a compiled workflow (rendered from ``portaflow/templates/aws``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jinja2

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic
from portaflow.compiler.modules import ModuleFinder

from .asl import compile_asl, logical_id, step_idents

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "aws"


def project_modules(source_path: Path) -> list[Path]:
    """The files and package folders to put in the Lambda package so that the workflow's module, and every
    project module it imports (transitively, imports inside functions included), import there as they do
    from the workflow's folder: for each top-level name, its module file or its whole package folder."""
    finder = ModuleFinder(source_path)
    found: dict[str, Path] = {}
    for mf, _ in finder.closure():
        if mf.top in found:
            continue
        top = finder.find(mf.top, mf.root)
        if top is not None:
            found[mf.top] = top.folder if top.is_package else top.path
    return list(found.values())


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
    idents = step_idents(program)
    modules: dict[str, str] = {}  # module of a step -> its name in the handler
    for sd in program.steps.values():
        mod = sd.module or program.module
        if mod not in modules:
            modules[mod] = "user_module" if mod == program.module else f"user_module_{len(modules) + 1}"
    steps = []
    logical_ids: set[str] = set()
    for key, sd in program.steps.items():
        lambda_timeout = max(30, int(sd.timeout_seconds or 0) + 5) if sd.timeout_seconds else 900
        lid = base = logical_id(idents[key])
        n = 2
        while lid in logical_ids:  # CloudFormation ids keep only letters and digits
            lid, n = f"{base[: -len('Function')]}{n}Function", n + 1
        logical_ids.add(lid)
        steps.append(
            {
                "ident": idents[key],
                "function": sd.function,
                "module": modules[sd.module or program.module],
                "name": sd.name,
                "logical_id": lid,
                "lambda_timeout": lambda_timeout,
            }
        )
    copies = project_modules(source_path)
    ctx = {
        "workflow": program.workflows[program.entry].name,
        "source": source_path.name,
        "module": program.module,
        "modules": [{"name": m, "alias": a} for m, a in modules.items()],
        "copies": [p.name for p in copies],
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
    if not any(p.resolve() == source_path.resolve() for p in copies) and "." not in program.module:
        shutil.copyfile(source_path, out / "src" / f"{program.module}.py")  # a file name Python cannot import
    skip = out.resolve()
    for item in copies:
        dest = out / "src" / item.name
        if item.is_dir():

            def ignore(folder: str, names: list[str]) -> set[str]:
                return {n for n in names if n == "__pycache__" or (Path(folder) / n).resolve() == skip}

            shutil.copytree(item, dest, dirs_exist_ok=True, ignore=ignore)
        else:
            shutil.copyfile(item, dest)
    (out / "src" / "requirements.txt").write_text("portaflow\n")
    return definition, diags
