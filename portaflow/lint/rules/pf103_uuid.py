"""PF103: random or time-based UUIDs in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules._fixes import context_fix, template
from portaflow.lint.rules.base import Invalid, Report, Rule, short

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

# uuid3 and uuid5 hash a name: deterministic, never flagged. uuid8 is random only without arguments.
_ALWAYS = frozenset(
    {
        "uuid.uuid1",
        "uuid.uuid4",
        "uuid.uuid6",
        "uuid.uuid7",
        "uuid6.uuid6",
        "uuid6.uuid7",
        "uuid6.uuid8",
        "uuid_utils.uuid1",
        "uuid_utils.uuid4",
        "uuid_utils.uuid6",
        "uuid_utils.uuid7",
        "ulid.new",
        "ulid.ULID",
    }
)
_FIXABLE = frozenset({"uuid.uuid1", "uuid.uuid4", "uuid_utils.uuid4"})


class Uuid(Rule):
    code = "PF103"
    name = "random-uuid"
    summary = (
        "Creates a random or time-based identifier: `uuid.uuid1/uuid4/uuid6/uuid7`, `uuid.uuid8()` without "
        "arguments, and the `uuid6`, `uuid_utils` and `ulid` packages. `uuid3`/`uuid5` (name-based) are fine."
    )
    why = (
        "A new UUID is generated on every replay. Used as a key, a file name or a step argument, it "
        "no longer "
        "matches what the first run recorded or sent, so the replay diverges and idempotency keys stop "
        "deduplicating. `ctx.uuid4()` is recorded once and replayed."
    )
    replacement = "use `ctx.uuid4()` (recorded in the history), or `ctx.idempotency_key()` for a step's key"
    fix_description = (
        "`uuid.uuid4()` and `uuid.uuid1()` without arguments become `ctx.uuid4()` "
        "where the Context is in scope."
    )
    USE_INSTEAD = """\
from portaflow import workflow

@workflow
def open_ticket(ctx, title: str) -> dict:
    return {"id": str(ctx.uuid4()), "title": title}
"""
    VALID = (
        # name-based UUIDs are deterministic
        """\
import uuid
from portaflow import workflow

@workflow
def wf(ctx, name: str):
    return uuid.uuid5(uuid.NAMESPACE_URL, name), uuid.uuid3(uuid.NAMESPACE_DNS, name), uuid.UUID(int=5)
""",
        """\
import uuid
from portaflow import step, workflow

@step
def create_order() -> str:
    return str(uuid.uuid4())

@workflow
def wf(ctx):
    return create_order()
""",
        """\
from portaflow import workflow

@workflow
def wf(ctx, uuid):
    return uuid.uuid4()
""",
        # a class body runs once, at import, like module-level code; a plain default is not a factory
        """\
import uuid
from dataclasses import dataclass, field
from portaflow import workflow

@dataclass
class Ticket:
    title: str
    namespace: uuid.UUID = uuid.uuid4()
    tags: list = field(default_factory=list)

@workflow
def wf(ctx):
    return Ticket("x", namespace=ctx.uuid4())
""",
    )
    INVALID = (
        Invalid(
            """\
import uuid
from portaflow import workflow

@workflow
def open_ticket(ctx, title: str) -> dict:
    return {"id": str(uuid.uuid4()), "title": title}
""",
            (6,),
            fixed="""\
from portaflow import workflow

@workflow
def open_ticket(ctx, title: str) -> dict:
    return {"id": str(ctx.uuid4()), "title": title}
""",
        ),
        Invalid(
            """\
from uuid import uuid1, uuid4 as new_id
from portaflow import workflow

@workflow
def wf(ctx):
    return new_id(), uuid1()
""",
            (6, 6),
            fixed="""\
from portaflow import workflow

@workflow
def wf(ctx):
    return ctx.uuid4(), ctx.uuid4()
""",
        ),
        Invalid(
            """\
import uuid
from portaflow import workflow

@workflow
def wf(ctx):
    return uuid.uuid7(), uuid.uuid8()
""",
            (6, 6),
        ),
        # constructing a dataclass runs its default factories: reported where they call or name uuid4
        Invalid(
            """\
import uuid
from dataclasses import dataclass, field
from portaflow import workflow

@dataclass
class Ticket:
    title: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    trace: uuid.UUID = field(default_factory=uuid.uuid4)

@workflow
def wf(ctx):
    return Ticket("x")
""",
            (8, 9),
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External) or not callee.qname.startswith(("uuid", "ulid")):
            return ()
        qname = callee.qname
        if qname not in _ALWAYS and not (qname == "uuid.uuid8" and not call.args):
            return ()
        message = f"`{short(qname)}()` makes a new identifier on every replay"
        if qname in _FIXABLE and not call.args:
            fix, reason = context_fix(checker, call, callee, template("{ctx}.uuid4()"), "{ctx}.uuid4()")
            return (Report(call, message, fix, reason),)
        return (
            Report(
                call, message, None, "time-ordered and custom UUIDs have no automatic fix: use `ctx.uuid4()`"
            ),
        )
