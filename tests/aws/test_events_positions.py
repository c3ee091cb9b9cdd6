"""The events function with several waits for one event name open at once (ctx.map items): the event goes
to the open wait at the lowest position, as on the local engine; an item written by an older runtime (one
``token``) is still read."""

from __future__ import annotations

import json
from typing import Any

from portaflow.backends.aws.runtime.portaflow_aws_runtime import handle_events, position_order


class ConditionFailed(Exception):
    pass


class FakeTable:
    """DynamoDB's get_item/put_item with the version condition, in memory."""

    class exceptions:
        ConditionalCheckFailedException = ConditionFailed

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def get_item(self, TableName: str, Key: dict[str, Any], ConsistentRead: bool) -> dict[str, Any]:
        item = self.items.get(Key["pk"]["S"])
        return {"Item": item} if item else {}

    def put_item(self, TableName: str, Item: dict[str, Any], ConditionExpression: str, **kw: Any) -> None:
        old = self.items.get(Item["pk"]["S"])
        if "attribute_not_exists" in ConditionExpression and old is not None:
            raise ConditionFailed
        if old is not None and old["version"]["N"] != kw["ExpressionAttributeValues"][":v"]["N"]:
            raise ConditionFailed
        self.items[Item["pk"]["S"]] = Item


class FakeSfn:
    class exceptions:
        TaskTimedOut = type("TaskTimedOut", (Exception,), {})
        InvalidToken = type("InvalidToken", (Exception,), {})
        TaskDoesNotExist = type("TaskDoesNotExist", (Exception,), {})

    def __init__(self, expired: tuple[str, ...] = ()) -> None:
        self.sent: list[tuple[str, Any]] = []
        self.expired = expired

    def send_task_success(self, taskToken: str, output: str) -> None:
        if taskToken in self.expired:
            raise self.exceptions.TaskTimedOut
        self.sent.append((taskToken, json.loads(output)["payload"]))


def _wait(ddb: FakeTable, sfn: FakeSfn, token: str, position: str) -> None:
    handle_events(
        {"action": "wait", "run_id": "r", "event": "ok", "token": token, "position": position}, ddb, sfn, "t"
    )


def _send(ddb: FakeTable, sfn: FakeSfn, payload: Any) -> dict[str, Any]:
    return handle_events({"action": "send", "run_id": "r", "event": "ok", "payload": payload}, ddb, sfn, "t")


def test_the_lowest_position_takes_the_event_whatever_order_the_waits_began_in() -> None:
    ddb, sfn = FakeTable(), FakeSfn()
    _wait(ddb, sfn, "item10", "0.10.")
    _wait(ddb, sfn, "item2", "0.2.")
    _send(ddb, sfn, 1)
    _send(ddb, sfn, 2)
    assert sfn.sent == [("item2", 1), ("item10", 2)]
    assert _send(ddb, sfn, 3) == {"delivered": False, "buffered": 1}  # nobody waits: buffered
    _wait(ddb, sfn, "later", "0.3.")
    assert sfn.sent[-1] == ("later", 3)


def test_a_wait_that_ended_passes_the_event_to_the_next_one() -> None:
    ddb, sfn = FakeTable(), FakeSfn(expired=("item0",))
    _wait(ddb, sfn, "item0", "0.0.")
    _wait(ddb, sfn, "item1", "0.1.")
    _send(ddb, sfn, "x")
    assert sfn.sent == [("item1", "x")]


def test_an_item_of_the_older_form_is_read() -> None:
    ddb, sfn = FakeTable(), FakeSfn()
    ddb.items["r#ok"] = {
        "pk": {"S": "r#ok"},
        "buffer": {"S": "[]"},
        "token": {"S": "old"},
        "version": {"N": "1"},
    }
    _send(ddb, sfn, "y")
    assert sfn.sent == [("old", "y")]


def test_positions_compare_number_by_number() -> None:
    assert sorted(["0.10.", "0.2.", "1.", "0.2.3."], key=position_order) == ["0.2.", "0.2.3.", "0.10.", "1."]
