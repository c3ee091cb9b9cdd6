"""Code that runs inside the generated Lambda functions (and in the offline harness, in-process).

``handle_step`` calls a user's ``@step`` with the arguments the state machine sends. ``handle_events`` is the
events function: ``wait`` (called by the state machine through ``lambda:invoke.waitForTaskToken``) stores the
task token, or at once delivers the oldest buffered event; ``send`` (called by whoever raises an event)
resumes the waiting execution, or buffers the event. One DynamoDB item per (run id, event name) holds the
buffer and the waiting token; every change is a conditional write on a version number, so concurrent sends
and waits never lose or duplicate an event.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

VERSION_ATTR = "version"


def handle_step(step: Any, event: dict[str, Any]) -> Any:
    """Call ``step`` (a ``@step`` object or plain function) with the payload's arguments.

    Raises whatever the step raises: the Lambda runtime reports it with the exception's class name as the
    error type, which the state machine's Retry and Catch match.
    """
    fn = getattr(step, "fn", step)
    kwargs = dict(event.get("args") or {})
    # JSON numbers lose "2.0" versus "2" on the way through JSONata: restore floats the step declares
    for name, param in inspect.signature(fn).parameters.items():
        if (
            param.annotation in (float, "float")
            and isinstance(kwargs.get(name), int)
            and not isinstance(kwargs.get(name), bool)
        ):
            kwargs[name] = float(kwargs[name])
    if getattr(step, "takes_idempotency_key", False) and "idempotency_key" not in kwargs:
        kwargs["idempotency_key"] = event["idempotency_key"]
    result = fn(**kwargs)
    # the workflow always sees the JSON-decoded value (a tuple becomes a list)
    return json.loads(json.dumps(result))


def _item_key(run_id: str, event: str) -> dict[str, Any]:
    return {"pk": {"S": f"{run_id}#{event}"}}


def _load(ddb: Any, table: str, run_id: str, name: str) -> tuple[list[Any], str | None, int]:
    resp = ddb.get_item(TableName=table, Key=_item_key(run_id, name), ConsistentRead=True)
    item = resp.get("Item")
    if not item:
        return [], None, 0
    buffered = json.loads(item["buffer"]["S"]) if "buffer" in item else []
    token = item["token"]["S"] if "token" in item else None
    return buffered, token, int(item[VERSION_ATTR]["N"])


def _store(
    ddb: Any, table: str, run_id: str, name: str, buffered: list[Any], token: str | None, version: int
) -> bool:
    """Write the new state if nobody else changed it since ``version``; False on a conflict."""
    item: dict[str, Any] = {
        **_item_key(run_id, name),
        "buffer": {"S": json.dumps(buffered)},
        VERSION_ATTR: {"N": str(version + 1)},
    }
    if token is not None:
        item["token"] = {"S": token}
    cond = "attribute_not_exists(pk)" if version == 0 else f"{VERSION_ATTR} = :v"
    kwargs: dict[str, Any] = {"TableName": table, "Item": item, "ConditionExpression": cond}
    if version:
        kwargs["ExpressionAttributeValues"] = {":v": {"N": str(version)}}
    try:
        ddb.put_item(**kwargs)
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def _deliver(sfn: Any, token: str, payload: Any) -> bool:
    """Resume the execution waiting on ``token``; False when that wait is over (timed out, stopped)."""
    try:
        sfn.send_task_success(taskToken=token, output=json.dumps({"payload": payload}))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        return False
    return True


def handle_events(event: dict[str, Any], ddb: Any, sfn: Any, table: str) -> dict[str, Any]:
    """The events function. ``event`` is ``{"action": "wait"|"send", "run_id", "event", ...}``."""
    action = event.get("action")
    run_id, name = str(event["run_id"]), str(event["event"])
    if action == "wait":
        wait_token = str(event["token"])
        while True:
            buffered, _old, version = _load(ddb, table, run_id, name)
            if buffered:
                first, rest = buffered[0], buffered[1:]
                if not _store(ddb, table, run_id, name, rest, None, version):
                    continue
                _deliver(sfn, wait_token, first)
                return {"delivered": True}
            if _store(ddb, table, run_id, name, [], wait_token, version):
                return {"delivered": False, "waiting": True}
    if action == "send":
        payload = event.get("payload")
        while True:
            buffered, token, version = _load(ddb, table, run_id, name)
            if token is not None and not buffered:
                if not _store(ddb, table, run_id, name, [], None, version):
                    continue
                if _deliver(sfn, token, payload):
                    return {"delivered": True}
                continue  # that wait had ended: buffer the event for the next one
            if _store(ddb, table, run_id, name, [*buffered, payload], token, version):
                return {"delivered": False, "buffered": len(buffered) + 1}
    raise ValueError(f"unknown events action {action!r}")
