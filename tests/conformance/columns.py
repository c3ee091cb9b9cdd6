"""The columns of the conformance table: one function per target, each running a scenario to an Outcome.

A scenario is a module ``sNN_*.py`` in ``scenarios/`` (or in a package right inside it, for workflows that
import their steps relatively) with steps, a workflow and ``SCENARIO = {...}``. Other modules there are
helper modules the scenarios import steps and workflows from, not scenarios:

    SCENARIO = {
        "workflow": "refund",                       # optional: the module's last @workflow by default
        "input": {"order_id": "o1"},
        "run_id": "order-1",                        # optional
        "actions": [["signal", "approval", {"ok": True}], ["advance", "3d"]],   # after start, in order
                                                    # ["fail", "approval", "Rejected", "why"]: the event
                                                    # delivered as a failure (signal --error TYPE:MESSAGE)
                                                    # ["signal_run", "run-1-c0", "approval", 1]: an event
                                                    # sent to another run (a child run)
        "expect": {"status": "completed", "output": {...}}   # or {"status": "failed", "error": {...}}
                                                            # ("error_matches": type + message regex)
                                                            # a run left waiting: "waiting_for", "wait_label"
    }

A scenario may mark what a target refuses at compile time (``"refuses": {"aws": "PFC040"}``: the test checks
that exact code), where it differs on purpose (``"differs": {"aws": "why"}``: the comparison must fail) and
what a target does not support yet (``"notyet": {"azure": "why"}``: shown as xfail, and a failure once it
passes). The columns are the local engine and every registered backend (:func:`targets`); each is compared
with the expectation and with the local engine on calls, keys, attempts and delays.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).parent / "scenarios"
SCENARIO_NAME = re.compile(r"s(\d{2,})_\w+")  # s01_sequential ... s100_...


def scenario_files() -> list[Path]:
    """Every scenario module, ordered by number (helper modules next to them are not scenarios)."""
    found = [
        p for p in (*SCENARIOS.glob("*.py"), *SCENARIOS.glob("*/*.py")) if SCENARIO_NAME.fullmatch(p.stem)
    ]
    return sorted(found, key=lambda p: (int(SCENARIO_NAME.fullmatch(p.stem).group(1)), p.stem))  # type: ignore[union-attr]


@dataclass(frozen=True)
class Call:
    step: str
    args: tuple[tuple[str, str], ...]  # (param, JSON text), sorted
    key: str
    attempt: int
    error_type: str | None
    delay: float | None


@dataclass
class Outcome:
    status: str
    output: Any = None
    error: dict[str, str] | None = None
    calls: list[Call] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    waiting_for: str | None = None  # a waiting run: the event it waits for, and the wait's label
    wait_label: str | None = None
    # the child runs it started (ctx.start_workflow), transitively: run id -> (status, output); their step
    # calls are in ``calls`` (their keys hold their run ids)
    children: dict[str, tuple[str, Any]] = field(default_factory=dict)


def deliver(action: list[Any], signal: Any, advance: Any, signal_run: Any = None) -> None:
    """One action of a scenario, through a column's ``signal(run_id, event, payload, error=...)`` and
    ``advance(duration)`` (the local engine's and every offline executor's): ``["signal", event, payload]``,
    ``["fail", event, type, message]`` (a failure event), ``["advance", duration]`` or ``["signal_run",
    run_id, event, payload]`` (through ``signal_run(run_id, event, payload)``: another run's event)."""
    kind = action[0]
    if kind == "signal_run":
        signal_run(action[1], action[2], action[3] if len(action) > 3 else None)
    elif kind == "signal":
        signal(action[1], action[2] if len(action) > 2 else None)
    elif kind == "fail":
        signal(action[1], None, error=(action[2], action[3]))
    elif kind == "advance":
        advance(action[1])
    else:
        raise ValueError(f"unknown scenario action {action!r}")


def load_module(path: Path) -> Any:
    """Import a scenario afresh, with fresh copies of the helper modules it imports (their module-level
    state, such as attempt counters, starts empty on every column). A scenario inside a package is imported
    by its dotted name, as ``python -m`` would, so that its relative imports work."""
    from portaflow.source.finder import entry_module

    scenarios = SCENARIOS.resolve()
    for key, loaded in list(sys.modules.items()):
        file = getattr(loaded, "__file__", None)
        if file and Path(file).resolve().is_relative_to(scenarios):
            del sys.modules[key]
    dotted, root, _ = entry_module(path)
    for folder in (str(root), str(path.resolve().parent)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    if "." in dotted:
        return importlib.import_module(dotted)
    name = f"conformance_{path.stem}_{uuid.uuid4().hex[:6]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def scenario_workflow(path: Path, scenario: dict[str, Any] | None = None) -> str | None:
    """The workflow a scenario runs: its ``"workflow"``, else the last ``@workflow`` its module defines.

    Read from the source, so the tests that compile every scenario (goldens, IR coverage) name it as the
    columns do (the compiler, like ``portaflow run``, wants the name when a module has several)."""
    if scenario is not None and "workflow" in scenario:
        return str(scenario["workflow"])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    last = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "SCENARIO" for t in node.targets
        ):
            if isinstance(node.value, ast.Dict):
                for k, v in zip(node.value.keys, node.value.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == "workflow" and isinstance(v, ast.Constant):
                        return str(v.value)
        elif isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, (ast.Name, ast.Attribute)) and ast.unparse(target).endswith("workflow"):
                    last = node.name
    return last


def _norm(v: Any) -> Any:
    """JSON numbers: 2.0 and 2 are the same number (the JSON text of a float is not kept by every target)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    return v


def _args(d: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    import json

    d = {k: _norm(v) for k, v in d.items()}
    return tuple(sorted((k, json.dumps(v, sort_keys=True)) for k, v in d.items() if k != "idempotency_key"))


def _workflow(mod: Any, scenario: dict[str, Any]) -> Any:
    from portaflow.dsl.decorators import Workflow

    name = scenario_workflow(Path(mod.__file__), scenario)
    found = [v for k, v in vars(mod).items() if isinstance(v, Workflow) and name in (k, v.name)]
    return found[0]


def _steps_by_name(mod: Any) -> dict[str, Any]:
    """The scenario's steps by name (to bind recorded arguments to parameter names): those of its module and
    of the helper modules it imported. Steps sharing a name must share their parameters' names."""
    from portaflow.dsl.decorators import Step

    scenarios = SCENARIOS.resolve()
    modules = [mod] + [
        m
        for m in list(sys.modules.values())
        if getattr(m, "__file__", None) and Path(m.__file__).resolve().is_relative_to(scenarios)
    ]
    steps: dict[str, Any] = {}
    for m in modules:
        for v in vars(m).values():
            if isinstance(v, Step):
                steps.setdefault(v.name, v)
    return steps


def run_local(path: Path, scenario: dict[str, Any], tmp: Path) -> Outcome:
    from portaflow.local_engine import Engine
    from portaflow.local_engine.clock import VirtualClock

    mod = load_module(path)
    steps = _steps_by_name(mod)
    engine = Engine(tmp / f"{path.stem}.db", clock=VirtualClock(), durable=False)
    run_id = scenario.get("run_id", "run-1")
    h = engine.start(_workflow(mod, scenario), scenario.get("input", {}), run_id=run_id)
    for action in scenario.get("actions", []):
        deliver(action, functools.partial(engine.signal, run_id), engine.advance, engine.signal)
    st = h.status()
    out = Outcome(
        st.status,
        st.output if st.status == "completed" else None,
        {"type": st.error["type"], "message": st.error["message"]}
        if st.status == "failed" and st.error
        else None,
        waiting_for=st.waiting_for,
        wait_label=st.wait_label,
    )
    family = [run_id]
    for parent in family:  # the child runs, and theirs, in the order they were started
        family += engine.store.children(parent)
    for child in family[1:]:
        cst = engine.status(child)
        out.children[child] = (cst.status, cst.output if cst.status == "completed" else _error(cst.error))
    events = [ev for r in family for ev in engine.history(r)]
    for ev in events:
        if ev.kind in ("step_completed", "step_attempt_failed", "step_failed"):
            d = ev.data
            fn = steps[ev.name].fn if ev.name in steps else None
            pos, kw = d["args"]
            bound = dict(kw)
            if fn is not None:
                b = inspect.signature(fn).bind_partial(*pos, **kw)
                bound = dict(b.arguments)
            err = d.get("error")
            out.calls.append(
                Call(
                    str(ev.name),
                    _args(bound),
                    d["idempotency_key"],
                    d["attempt"],
                    err["type"] if err else None,
                    float(d["delay"]) if ev.kind == "step_attempt_failed" else None,
                )
            )
        elif ev.kind == "timer_started" and ev.data.get("seconds") is not None:
            out.sleeps.append(float(ev.data["seconds"]))
    engine.close() if hasattr(engine, "close") else None
    return out


def run_target(target: str, path: Path, scenario: dict[str, Any]) -> Outcome:
    """Run a scenario on a registered backend's offline executor (the target's real execution semantics)."""
    from portaflow.backends import get

    run_id = scenario.get("run_id", "run-1")
    with get(target).offline(path, scenario_workflow(path, scenario)) as executor:
        run = executor.start(scenario.get("input", {}), run_id=run_id)
        for action in scenario.get("actions", []):
            deliver(action, functools.partial(executor.signal, run_id), executor.advance, executor.signal)
        waiting = run.status == "waiting"
        out = Outcome(
            run.status,
            run.output,
            run.error,
            waiting_for=run.waiting_for if waiting else None,
            wait_label=run.wait_label if waiting else None,
        )
        children = executor.child_runs(run_id) if hasattr(executor, "child_runs") else []
        for child in children:
            out.children[child.run_id] = (
                child.status,
                child.output if child.status == "completed" else _error(child.error),
            )
        for c in [c for r in (run, *children) for c in r.calls]:
            out.calls.append(
                Call(c.step, _args(c.args), c.key, c.attempt, c.error["type"] if c.error else None, c.delay)
            )
        out.sleeps = list(run.sleeps)
    return out


def _error(error: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if error is None else {"type": error.get("type"), "message": error.get("message")}


def targets() -> list[str]:
    """The conformance columns: the local engine, then every registered backend (a new backend is a new
    column by registering; one without an offline executor is shown as not run yet)."""
    from portaflow import backends

    return ["local", *backends.names()]
