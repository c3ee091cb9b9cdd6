"""Child runs (``ctx.start_workflow``) on moto: every started workflow is a state machine of its own, and
the ``states:startExecution(.sync:2)`` integration runs as on AWS.

moto's port of the interpreter has the integration but not the request and response shapes AWS gives it
(LocalStack converts them with botocore's shapes; moto's hooks are no-ops): the Task's PascalCase
arguments (``StateMachineArn``, ``Name``, ``Input``) are passed to boto as they are, which refuses them, and
the response's camelCase keys are not the PascalCase ``ExecutionArn``, ``Output``, ``Error``, ``Cause`` a
definition (and moto's own sync resolver) reads. Its ``.sync`` wait then polls every 0.5 s of real time; here
the waiting thread joins the child execution's thread instead, where the harness recognises it as parked
(``harness._join_sites``), so a parent whose child waits for an event is "waiting" as the child is. Each
patch has a canary in ``tests/aws/test_moto_canaries.py``.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from unittest import mock

from portaflow.compiler import ir

from ..lower.asl import compile_asl
from ..lower.childruns import machine_ident, machine_ref, started_workflows

if TYPE_CHECKING:
    from .harness import AwsHarness

POLL = 0.003


def child_definitions(program: ir.Program) -> dict[str, dict[str, Any]]:
    """The state machine of every workflow the program starts as a run of its own, by workflow key."""
    return {key: compile_asl(replace(program, entry=key))[0] for key in started_workflows(program)}


def machine_name(key: str) -> str:
    return f"pf-{machine_ident(key)}"


def substitute_machines(text: str, children: dict[str, Any], arn_of: Any) -> str:
    """A definition's ``${Machine_...}`` substitutions replaced by the child machines' ARNs."""
    for key in children:
        text = text.replace(machine_ref(key), arn_of(machine_name(key)))
    return text


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def _pascal(key: str) -> str:
    return key[:1].upper() + key[1:]


def join_execution(h: AwsHarness, arn: str) -> None:
    """Block until the execution ``arn`` has ended: join the interpreter thread that runs it (a join the
    harness knows as parking). An execution whose thread is gone has ended already."""
    from moto.stepfunctions.parser.utils import TMP_THREADS

    for thread in list(TMP_THREADS[h._first_thread :]):
        worker = getattr(getattr(thread, "_target", None), "__self__", None)
        details = getattr(getattr(worker, "_evaluation_details", None), "execution_details", None)
        if details is not None and getattr(details, "arn", None) == arn:
            thread.join()
            return
    time.sleep(POLL)


def patches(h: AwsHarness) -> list[Any]:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    original_parameters = StateTaskServiceSfn._normalise_parameters
    original_build = StateTaskServiceSfn._build_sync2_resolver

    def normalise_parameters(self: Any, parameters: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_parameters(self, parameters, *args, **kwargs)
        if not args and not kwargs and "StateMachineArn" in parameters:  # the Task's own arguments
            machine, name = str(parameters["StateMachineArn"]), str(parameters.get("Name"))
            with h._lock:
                h.child_arns.setdefault(name, machine.replace(":stateMachine:", ":execution:") + ":" + name)
            for key in list(parameters):
                parameters[_camel(key)] = parameters.pop(key)

    def normalise_response(self: Any, response: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(response, dict):
            for key in list(response):
                value = response.pop(key)
                if isinstance(value, datetime.datetime):
                    value = value.isoformat()
                response[_pascal(key)] = value

    def build_sync2_resolver(self: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
        arn = str(env.stack[-1]["ExecutionArn"])
        parent = str(env.states.context_object.context_object_data["Execution"]["Name"])
        with h._lock:
            h.child_parents[arn.rsplit(":", 1)[-1]] = parent
        resolver: Any = original_build(self, env, *args, **kwargs)
        resolver.pf_arn = arn
        return resolver

    def eval_sync(self: Any, env: Any, sync_resolver: Any, *args: Any, **kwargs: Any) -> Any:
        while env.is_running():
            result = sync_resolver()
            if result:
                return result
            join_execution(h, sync_resolver.pf_arn)
        return None

    def sync2_output_of(typ: type, value: Any) -> None:
        # moto keeps an execution's string output as the bare string, not its JSON text (AWS: '"text"'),
        # which moto's own parse then fails on: a text that is not JSON is that string
        for key in ("input", "output"):
            inner = value.get(key)
            if isinstance(inner, str):
                try:
                    value[key] = json.loads(inner)
                except ValueError:
                    value[key] = inner

    return [
        mock.patch.object(StateTaskServiceSfn, "_sync2_api_output_of", staticmethod(sync2_output_of)),
        mock.patch.object(StateTaskServiceSfn, "_normalise_parameters", normalise_parameters),
        mock.patch.object(StateTaskServiceSfn, "_normalise_response", normalise_response),
        mock.patch.object(StateTaskServiceSfn, "_build_sync2_resolver", build_sync2_resolver),
        mock.patch.object(StateTaskServiceSfn, "_eval_sync", eval_sync),
    ]


def family(h: AwsHarness, run_id: str) -> dict[str, str]:
    """The runs ``run_id`` waits on through ``.sync:2`` children, transitively, each with the child of
    ``run_id`` it is reached through."""
    with h._lock:
        parents = dict(h.child_parents)
    out: dict[str, str] = {}
    for child in parents:
        walk, seen = child, {child}
        while parents.get(walk) not in (None, run_id) and parents[walk] not in seen:
            walk = parents[walk]
            seen.add(walk)
        if parents.get(walk) == run_id:
            out[child] = walk
    return out
