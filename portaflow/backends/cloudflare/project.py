"""The deployable Cloudflare Workers project of a compiled workflow, in memory (templates in ``templates/``).

``src/index.ts`` holds the workflow lowered to TypeScript (:mod:`.lower.workflow`) and its
``WorkflowEntrypoint``; ``src/runtime/`` the shipped runtime (``durable.ts``: steps, timers, events, fan-out;
``py*.ts``: Python's semantics); ``wrangler.jsonc``, ``package.json`` (versions pinned as the offline tests
run them) and ``tsconfig.json`` build and deploy it. The steps themselves run in Python behind the step
host (``stephost/``), which the worker calls over signed HTTP.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2

from portaflow.backends.project import Project
from portaflow.compiler import ir

from .lower.workflow import workflow_function, workflow_function_source

HERE = Path(__file__).resolve().parent
RUNTIME = HERE / "runtime"
MAIN_FILES = ("src/", "wrangler.jsonc", "package.json", "tsconfig.json", "README.md")
COMPATIBILITY_DATE = "2026-04-01"
# the versions of the generated project's tools: those the offline executor and the static gates run
DEV_DEPENDENCIES = (
    ("@cloudflare/workers-types", "4.20260702.1"),
    ("typescript", "7.0.2"),
    ("wrangler", "4.86.0"),
)
# what index.ts may import from the runtime (it imports those its code uses)
RUNTIME_NAMES = (
    "Run",
    "Scope",
    "caught",
    "eventFailure",
    "eventPayload",
    "inPlace",
    "inPlaceExtend",
    "isEngineError",
    "iterate",
    "jsonCopy",
    "replaceContents",
    "runError",
    "setItem",
    "unpack",
)


# what the template itself uses: the entrypoint, and the HTTP API's event endpoints
ALWAYS = ("Run", "jsonCopy", "runError", "eventFailure", "eventPayload")


def class_name(workflow: str) -> str:
    """``refund_order`` -> ``RefundOrderWorkflow`` (a TypeScript class name, exported for wrangler)."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", workflow) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Portaflow"
    return (name if not name[0].isdigit() else "W" + name) + "Workflow"


def workflow_name(workflow: str) -> str:
    """The Cloudflare workflow's name: lower case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]+", "-", workflow.lower()).strip("-") or "portaflow"


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def step_specs(program: ir.Program) -> dict[str, Any]:
    """Step key -> the runtime's StepSpec: name, parameters, retry policy, timeout."""
    return {
        key: {
            "name": sd.name,
            "key": key,
            "params": list(sd.params),
            "wants_key": sd.wants_idempotency_key,
            "retry": {
                "max_attempts": sd.retry.max_attempts,
                "initial_interval": sd.retry.initial_interval,
                "backoff": sd.retry.backoff,
                "max_interval": sd.retry.max_interval,
                "non_retryable": list(sd.retry.non_retryable_matches or sd.retry.non_retryable),
                "retry_on": list(sd.retry.retry_on_matches or sd.retry.retry_on),
                **({"jitter": sd.retry.jitter} if sd.retry.jitter is not None else {}),
            },
            "timeout": sd.timeout_seconds,
        }
        for key, sd in program.steps.items()
    }


def index_source(program: ir.Program) -> str:
    """``src/index.ts``: every workflow function of the program, and the entry's WorkflowEntrypoint."""
    entry = program.workflows[program.entry]
    workflows = "\n".join(workflow_function_source(program, key) for key in program.workflows)
    used = [n for n in RUNTIME_NAMES if n in ALWAYS or re.search(rf"\b{n}\b", workflows)]
    ctx = {
        "source": Path(program.source).name,
        "workflow": entry.name,
        "class_name": class_name(entry.name),
        "entry_function": workflow_function(program.entry),
        "steps_literal": json.dumps(step_specs(program), indent=2),
        "workflows": workflows,
        "params": json.dumps([p.name for p in entry.params]),
        # a parameter with a default takes it when the input lacks it (undefined); the others are there
        "call_args": [
            f"args.get({json.dumps(p.name)})" + ("" if p.default is not None else " as Value")
            for p in entry.params
        ],
        "required": json.dumps([p.name for p in entry.params if p.default is None]),
        "result_what": json.dumps(f"the result of workflow {entry.name!r}"),
        "runtime_names": used,
        "timeout": "null" if entry.timeout is None else repr(float(entry.timeout)),
        "patches": json.dumps(list(patches)) if (patches := ir.change_ids(program)) else "",
    }
    if ctx["patches"]:
        ctx["runtime_names"] = [*used, "startParams"]
    computed_events = any(
        isinstance(s, ir.WaitForEvent) and not isinstance(s.event, str)
        for wf in program.workflows.values()
        for s in ir.walk_stmts(wf.body)
    )
    if computed_events:
        ctx["runtime_names"] = [*ctx["runtime_names"], "eventType"]
    return (
        _env()
        .get_template("index.ts.j2")
        .render(**ctx, computed_events=computed_events, routed_events=routed_events(program))
    )


def routed_events(program: ir.Program) -> bool:
    """Whether two of the program's waits for one event name may be open at once (backends/fanout.py):
    then every event goes through the run's router (runtime/events.ts), which gives it to the lowest."""
    from ..fanout import shared_waits

    return bool(shared_waits(program))


def runtime_files() -> dict[str, bytes]:
    """The shipped TypeScript runtime, by its path under ``src/runtime/``."""
    return {p.name: p.read_bytes() for p in sorted(RUNTIME.glob("*.ts"))}


def build_project(program: ir.Program, source_path: Path) -> Project:
    entry = program.workflows[program.entry]
    env = _env()
    ctx = {
        "source": source_path.name,
        "workflow": entry.name,
        "worker_name": workflow_name(entry.name),
        "workflow_name": workflow_name(entry.name),
        "class_name": class_name(entry.name),
        "compatibility_date": COMPATIBILITY_DATE,
        "dev_dependencies": DEV_DEPENDENCIES,
        "routed_events": routed_events(program),
    }
    project = Project("cloudflare", main_files=MAIN_FILES)
    project.add("src/index.ts", index_source(program))
    for name, data in runtime_files().items():
        project.add(f"src/runtime/{name}", data)
    project.add("wrangler.jsonc", env.get_template("wrangler.jsonc.j2").render(**ctx))
    project.add("package.json", env.get_template("package.json.j2").render(**ctx))
    project.add("tsconfig.json", (HERE / "templates" / "tsconfig.json").read_bytes())
    project.add("README.md", env.get_template("README.md.j2").render(**ctx))
    return project
