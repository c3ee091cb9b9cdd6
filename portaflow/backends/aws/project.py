"""The deployable AWS SAM project of a compiled workflow, in memory (templates in ``templates/``).

The Lambda package (``src/``) installs from what registries serve: it carries the user's modules, the part of
portaflow they import at run time (``portaflow/`` with ``portaflow.dsl`` only: decorators, Context, errors),
the handler runtime (``portaflow_aws_runtime.py``) and the step-call core that imports
(``portaflow/stepcall.py``, shared with the step host); ``requirements.txt`` names no portaflow package.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2

from portaflow.backends.project import Project, add_dsl, project_modules
from portaflow.compiler import ir

from .lower.asl import compile_asl, logical_id, step_idents
from .lower.childruns import machine_ident, started_workflows

HERE = Path(__file__).resolve().parent
SHARED_TEMPLATES = HERE.parents[1] / "templates"
RUNTIME = HERE / "runtime" / "portaflow_aws_runtime.py"
STEPCALL = HERE.parents[1] / "stepcall.py"  # portaflow/stepcall.py, standard library only
MAIN_FILES = ("statemachine.asl.json", "template.yaml", "src/", "README.md")


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(str(HERE / "templates")), jinja2.FileSystemLoader(str(SHARED_TEMPLATES))]
        ),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def build_project(program: ir.Program, source_path: Path) -> Project:
    """The SAM project: state machine, template, handlers, the user's modules and the shipped runtime."""
    definition, diags = compile_asl(program)
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
    ctx: dict[str, Any] = {
        "workflow": program.workflows[program.entry].name,
        "source": source_path.name,
        "target": "aws",
        "module": program.module,
        "modules": [{"name": m, "alias": a} for m, a in modules.items()],
        "copies": [p.name for p in copies],
        "steps": steps,
        "machine_name": "portaflow-" + program.workflows[program.entry].name.replace("_", "-"),
        "warnings": [f"{d.code} line {d.line}: {d.message}" for d in diags if d.severity == "warning"],
    }
    # every workflow started as a run of its own (ctx.start_workflow) is a state machine of its own
    children = [
        {
            "ident": machine_ident(key),
            "logical_id": "Machine" + re.sub(r"[^A-Za-z0-9]", "", machine_ident(key).title()),
            "name": program.workflows[key].name,
            "machine_name": "portaflow-" + program.workflows[key].name.replace("_", "-"),
            "definition": compile_asl(replace(program, entry=key))[0],
        }
        for key in started_workflows(program)
    ]
    ctx["children"] = children
    env = _env()
    project = Project("aws", main_files=MAIN_FILES)
    project.add("statemachine.asl.json", json.dumps(definition, indent=2) + "\n")
    for child in children:
        project.add(
            f"statemachines/{child['ident']}.asl.json", json.dumps(child["definition"], indent=2) + "\n"
        )
    project.add("template.yaml", env.get_template("template.yaml.j2").render(**ctx))
    project.add("README.md", env.get_template("README.md.j2").render(**ctx))
    project.add("src/portaflow_handler.py", env.get_template("handler.py.j2").render(**ctx))
    project.add("src/requirements.txt", env.get_template("requirements.txt.j2").render(**ctx))
    project.add("src/portaflow_aws_runtime.py", RUNTIME.read_bytes())
    add_dsl(project, "src/portaflow")
    project.add("src/portaflow/stepcall.py", STEPCALL.read_bytes())
    if not any(p.resolve() == source_path.resolve() for p in copies) and "." not in program.module:
        project.add(f"src/{program.module}.py", source_path.read_bytes())  # a name Python cannot import
    for item in copies:
        if item.is_dir():
            project.add_tree(item, f"src/{item.name}")
        else:
            project.add(f"src/{item.name}", item.read_bytes())
    return project
