"""Code that runs inside the generated Lambda functions (and in the offline harness, in-process).

``handle_step`` calls a user's ``@step`` with the arguments the state machine sends. ``handle_events`` is the
events function: ``wait`` (called by the state machine through ``lambda:invoke.waitForTaskToken``) stores the
task token, or at once delivers the oldest buffered event; ``send`` (called by whoever raises an event:
``{"payload": ...}``, or ``{"error": {"type", "message"}}`` for a failure) resumes the waiting execution
(SendTaskSuccess, or SendTaskFailure for a failure), or buffers the event (in ``portaflow.dsl.events``'
form); ``jitter`` gives a jittered retry delay (:func:`retry_delay`). One DynamoDB item per (run id, event
name) holds the buffer and the waiting tokens (one per wait open at once, with the position of its scope:
a send goes to the lowest, as locally); every change is a conditional write on a version number, so
concurrent sends and waits never lose or duplicate an event.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

# the one step-call core, shared with the step host; the project ships it as src/portaflow/stepcall.py
from portaflow.dsl.events import event_data, event_outcome
from portaflow.dsl.retry import jittered
from portaflow.stepcall import call_step, error_info

VERSION_ATTR = "version"
ERROR_MARK = "portaflow_error"


class StepError(Exception):
    """What a step's exception becomes on its way to the state machine.

    Step Functions matches a Retry by the exact error name, where Python matches by every class in the
    exception's MRO. The class of a StepError is named for Retry: the first class in the MRO that the step's
    ``non_retryable`` (or ``retry_on``) list names (``non_retryable`` in the payload; the compiler knows every
    name it lists), else the exception's own class. Its message (the Lambda ``errorMessage``) is a JSON
    object with the original type, message and the names of the whole MRO: the state machine reads the type
    and message from it and routes ``except`` clauses by the MRO (classes from any module match, the runtime
    imports them).
    """

    def __init__(self, body: str, type_name: str, message: str, mro: list[str]) -> None:
        super().__init__(body)
        self.type_name = type_name
        self.message = message
        self.mro = mro


def step_error(exc: BaseException, non_retryable: list[str] | tuple[str, ...] = ()) -> StepError:
    """``exc`` as a :class:`StepError` (see there)."""
    info = error_info(exc)
    name = next((n for n in info["mro"] if n in non_retryable), info["type"])
    body = json.dumps({ERROR_MARK: 1, **info})
    cls = type(name, (StepError,), {"__module__": __name__})
    return cls(body, info["type"], info["message"], info["mro"])  # type: ignore[no-any-return]


def handle_step(step: Any, event: dict[str, Any]) -> Any:
    """Call ``step`` (a ``@step`` object or plain function) with the payload's arguments, as
    :func:`portaflow.stepcall.call_step` binds them (the step host's way too).

    Whatever the step raises is raised as a :class:`StepError`: the Lambda runtime reports it with its class
    name as the error type (which the state machine's Retry matches) and its message as ``errorMessage``.
    """
    try:
        return call_step(step, event)
    except Exception as exc:
        raise step_error(exc, event.get("non_retryable") or ()) from exc


def _item_key(run_id: str, event: str) -> dict[str, Any]:
    return {"pk": {"S": f"{run_id}#{event}"}}


Waiter = tuple[str, str]  # (position of the wait's scope, task token)


def _load(ddb: Any, table: str, run_id: str, name: str) -> tuple[list[Any], list[Waiter], int]:
    resp = ddb.get_item(TableName=table, Key=_item_key(run_id, name), ConsistentRead=True)
    item = resp.get("Item")
    if not item:
        return [], [], 0
    buffered = json.loads(item["buffer"]["S"]) if "buffer" in item else []
    waiters: list[Waiter] = (
        [(str(p), str(t)) for p, t in json.loads(item["waiters"]["S"])] if ("waiters" in item) else []
    )
    if "token" in item:  # an item written before waits could be open at once for one name
        waiters.append(("", item["token"]["S"]))
    return buffered, waiters, int(item[VERSION_ATTR]["N"])


def _store(
    ddb: Any, table: str, run_id: str, name: str, buffered: list[Any], waiters: list[Waiter], version: int
) -> bool:
    """Write the new state if nobody else changed it since ``version``; False on a conflict."""
    item: dict[str, Any] = {
        **_item_key(run_id, name),
        "buffer": {"S": json.dumps(buffered)},
        "waiters": {"S": json.dumps([list(w) for w in waiters])},
        VERSION_ATTR: {"N": str(version + 1)},
    }
    cond = "attribute_not_exists(pk)" if version == 0 else f"{VERSION_ATTR} = :v"
    kwargs: dict[str, Any] = {"TableName": table, "Item": item, "ConditionExpression": cond}
    if version:
        kwargs["ExpressionAttributeValues"] = {":v": {"N": str(version)}}
    try:
        ddb.put_item(**kwargs)
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def position_order(position: str) -> tuple[int, ...]:
    """A wait scope's sort key ("0.2." before "0.10."): the local engine's rule, component by component."""
    return tuple(int(c) for c in position.split(".") if c.isdigit())


def event_failure(error: dict[str, str]) -> dict[str, str]:
    """SendTaskFailure's arguments for a failure event: the Cause is a step error's form (the JSON of
    ``errorMessage``, runtime.StepError), so the wait's Catch reads type, message and MRO as for a step;
    the MRO names EventFailed, which ``except EventFailed`` matches (``except Rejected`` matches the type)."""
    mro = [error["type"], "EventFailed", "Exception", "BaseException"]
    body = json.dumps({ERROR_MARK: 1, "type": error["type"], "message": error["message"], "mro": mro})
    return {"error": error["type"], "cause": json.dumps({"errorMessage": body})}


def _deliver(sfn: Any, token: str, data: Any) -> bool:
    """Resume the execution waiting on ``token`` with the event ``data`` (its payload, or its failure:
    portaflow.dsl.events); False when that wait is over (timed out, stopped)."""
    payload, error = event_outcome(data)
    try:
        if error is not None:
            sfn.send_task_failure(taskToken=token, **event_failure(error))
        else:
            sfn.send_task_success(taskToken=token, output=json.dumps({"payload": payload}))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        return False
    return True


def jitter_seconds(event: dict[str, Any]) -> float:
    """``{"action": "jitter", "key", "attempt", "delay", "jitter"}``: the delay before the next attempt of a
    step with ``RetryPolicy(jitter=...)``, as every target computes it (``portaflow.dsl.retry.jittered``:
    whole milliseconds)."""
    return jittered(float(event["delay"]), float(event["jitter"]), str(event["key"]), int(event["attempt"]))


def retry_delay(event: dict[str, Any], sleep: Callable[[float], None] = time.sleep) -> int:
    """The events function's ``jitter`` action: a Wait state counts whole seconds only, so this sleeps the
    fraction of a second of :func:`jitter_seconds` itself and returns the whole seconds for the state
    machine's Wait: together, the exact delay."""
    seconds = jitter_seconds(event)
    whole = math.floor(seconds)
    if seconds > whole:
        sleep(seconds - whole)
    return whole


def handle_events(event: dict[str, Any], ddb: Any, sfn: Any, table: str) -> dict[str, Any] | int:
    """The events function. ``event`` is ``{"action": "wait"|"send", "run_id", "event", ...}``, or a retry
    delay's (:func:`retry_delay`)."""
    action = event.get("action")
    if action == "jitter":
        return retry_delay(event)
    run_id, name = str(event["run_id"]), str(event["event"])
    if action == "wait":
        wait_token, position = str(event["token"]), str(event.get("position") or "")
        while True:
            buffered, waiters, version = _load(ddb, table, run_id, name)
            if buffered:
                first, rest = buffered[0], buffered[1:]
                if not _store(ddb, table, run_id, name, rest, waiters, version):
                    continue
                _deliver(sfn, wait_token, first)
                return {"delivered": True}
            # one wait per scope: a token of this position left by a wait that ended is replaced
            others = [w for w in waiters if w[0] != position]
            if _store(ddb, table, run_id, name, [], [*others, (position, wait_token)], version):
                return {"delivered": False, "waiting": True}
    if action == "send":
        error = event.get("error")
        payload = event_data(
            event.get("payload"), (error["type"], error["message"]) if isinstance(error, dict) else None
        )
        while True:
            buffered, waiters, version = _load(ddb, table, run_id, name)
            if waiters and not buffered:
                # of the waits for this name open at once, the one at the lowest position takes it
                lowest = min(waiters, key=lambda w: position_order(w[0]))
                rest = [w for w in waiters if w is not lowest]
                if not _store(ddb, table, run_id, name, [], rest, version):
                    continue
                if _deliver(sfn, lowest[1], payload):
                    return {"delivered": True}
                continue  # that wait had ended: the next one takes it, or it is buffered
            if _store(ddb, table, run_id, name, [*buffered, payload], waiters, version):
                return {"delivered": False, "buffered": len(buffered) + 1}
    raise ValueError(f"unknown events action {action!r}")
