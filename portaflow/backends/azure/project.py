"""The deployable Azure Functions app of a compiled workflow, in memory (templates in ``templates/``).

The app installs from what registries serve: it carries the user's modules, ``portaflow/`` with
``portaflow.dsl`` only (what they import at run time), the orchestrator runtime, and a ``requirements.txt``
that names no portaflow package. ``function_app.py`` is rendered from its template, with the workflows
lowered by :mod:`.lower.python`, then formatted by black (used as a library).
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

import jinja2

from portaflow.backends.project import Project, add_dsl, project_modules
from portaflow.compiler import ir

from .lower.python import workflow_function, workflow_source

HERE = Path(__file__).resolve().parent
RUNTIME = HERE / "runtime" / "portaflow_azure_runtime.py"
MAIN_FILES = ("function_app.py", "host.json", "requirements.txt", "README.md")


def activity_names(program: ir.Program) -> dict[str, str]:
    """Step key -> its activity's function name (``pf_step_<function>``, made unique and an identifier)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in program.steps:
        base = "pf_step_" + re.sub(r"\W", "_", key)
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        out[key] = name
    return out


def child_orchestrators(program: ir.Program) -> dict[str, str]:
    """The orchestrator name of every workflow started as a run of its own (``ctx.start_workflow``), by
    workflow key: its name, unless another orchestrator of the app has it."""
    taken = {program.workflows[program.entry].name}
    out: dict[str, str] = {}
    for wf in program.workflows.values():
        for s in ir.walk_stmts(wf.body):
            if isinstance(s, ir.StartWorkflow) and s.workflow not in out:
                name = program.workflows[s.workflow].name
                if name in taken:
                    name = re.sub(r"\W", "_", s.workflow)
                taken.add(name)
                out[s.workflow] = name
    return out


def orchestrator_function(name: str) -> str:
    ident = re.sub(r"\W", "_", name)
    return f"{ident}_orchestrator" if not keyword.iskeyword(ident) else f"pf_{ident}_orchestrator"


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def function_app_source(program: ir.Program) -> str:
    """``function_app.py``: the orchestrator of the entry workflow, its child workflows' generators, an
    activity per step and the HTTP endpoints, formatted."""
    import black  # a formatter used as a library, only when an Azure app is generated

    entry = program.workflows[program.entry]
    activities = activity_names(program)
    modules: dict[str, str] = {}
    for sd in program.steps.values():
        mod = sd.module or program.module
        modules.setdefault(mod, "user_module" if mod == program.module else f"user_module_{len(modules) + 1}")
    steps: dict[str, Any] = {}
    for key, sd in program.steps.items():
        steps[key] = {
            "name": sd.name,
            "activity": activities[key],
            "params": list(sd.params),
            "wants_key": sd.wants_idempotency_key,
            "timeout": sd.timeout_seconds,
            "retry": {
                "max_attempts": sd.retry.max_attempts,
                "initial_interval": sd.retry.initial_interval,
                "backoff": sd.retry.backoff,
                "max_interval": sd.retry.max_interval,
                "non_retryable": list(sd.retry.non_retryable),
                **({"retry_on": list(sd.retry.retry_on)} if sd.retry.retry_on else {}),
                **({"jitter": sd.retry.jitter} if sd.retry.jitter is not None else {}),
            },
        }
    exception_modules = sorted(
        {program.module, *(w.module or program.module for w in program.workflows.values())}
    )
    ctx = {
        "children": [
            {
                "orchestrator": name,
                "orchestrator_function": orchestrator_function(name),
                "entry_function": workflow_function(key),
                "timeout": repr(program.workflows[key].timeout),
                "params": repr(tuple(p.name for p in program.workflows[key].params)),
                "required": repr(tuple(p.name for p in program.workflows[key].params if p.default is None)),
            }
            for key, name in child_orchestrators(program).items()
        ],
        "workflow": entry.name,
        "source": Path(program.source).name,
        "orchestrator": entry.name,
        "orchestrator_function": orchestrator_function(entry.name),
        "entry_function": workflow_function(program.entry),
        "modules": [{"name": m, "alias": a} for m, a in modules.items()],
        "steps_literal": repr(steps),
        "exception_modules": repr(tuple(exception_modules)),
        "workflows": "\n\n\n".join(workflow_source(program, key) for key in program.workflows),
        "timeout": repr(entry.timeout),
        "patches": repr(patches) if (patches := ir.change_ids(program)) else "",
        "params": repr(tuple(p.name for p in entry.params)),
        "required": repr(tuple(p.name for p in entry.params if p.default is None)),
        "extra": "False",
        "activities": [
            {
                "activity": activities[key],
                "name": sd.name,
                "module": sd.module or program.module,
                "function": sd.function,
                "alias": modules[sd.module or program.module],
            }
            for key, sd in program.steps.items()
        ],
    }
    text = _env().get_template("function_app.py.j2").render(**ctx)
    return black.format_str(text, mode=black.Mode(line_length=110))


def build_project(program: ir.Program, source_path: Path, warnings: list[str] | None = None) -> Project:
    """The Functions app: ``function_app.py``, the runtime, host files, the user's modules."""
    entry = program.workflows[program.entry]
    copies = project_modules(source_path)
    env = _env()
    ctx = {
        "workflow": entry.name,
        "source": source_path.name,
        "orchestrator": entry.name,
        "copies": [p.name + ("/" if p.is_dir() else "") for p in copies],
        "warnings": warnings or [],
        "user_requirements": [],
    }
    project = Project("azure", main_files=MAIN_FILES)
    project.add("function_app.py", function_app_source(program))
    project.add("portaflow_azure_runtime.py", RUNTIME.read_bytes())
    project.add("host.json", (HERE / "templates" / "host.json").read_bytes())
    project.add(
        "local.settings.json.example", (HERE / "templates" / "local.settings.json.example").read_bytes()
    )
    project.add("requirements.txt", env.get_template("requirements.txt.j2").render(**ctx))
    project.add("README.md", env.get_template("README.md.j2").render(**ctx))
    add_dsl(project, "portaflow")
    if not any(p.resolve() == source_path.resolve() for p in copies) and "." not in program.module:
        project.add(f"{program.module}.py", source_path.read_bytes())
    for item in copies:
        if item.is_dir():
            project.add_tree(item, item.name)
        else:
            project.add(item.name, item.read_bytes())
    return project
