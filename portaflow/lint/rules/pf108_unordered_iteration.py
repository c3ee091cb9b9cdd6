"""PF108: order that depends on hashing or memory addresses (sets, ``hash()``, ``id()``) in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules.base import Invalid, Report, Rule

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

# consumers whose result does not depend on the order they iterate in
_ORDER_FREE = frozenset(
    {
        "builtins.sorted",
        "builtins.set",
        "builtins.frozenset",
        "builtins.len",
        "builtins.sum",
        "builtins.min",
        "builtins.max",
        "builtins.any",
        "builtins.all",
        "math.fsum",
        "math.prod",
        "collections.Counter",
    }
)
# consumers that keep the iteration order
_ORDERED = frozenset(
    {
        "builtins.list",
        "builtins.tuple",
        "builtins.enumerate",
        "builtins.zip",
        "builtins.iter",
        "builtins.map",
        "builtins.filter",
        "builtins.reversed",
        "builtins.dict.fromkeys",
        "itertools.chain",
        "itertools.islice",
        "itertools.cycle",
        "itertools.combinations",
        "itertools.permutations",
        "itertools.product",
        "itertools.groupby",
        "itertools.accumulate",
        "json.dumps",
    }
)
_MESSAGE = (
    "iterating a set: its order follows string hashes, which differ between processes, so a replay can see "
    "another order"
)


class UnorderedIteration(Rule):
    code = "PF108"
    name = "unordered-iteration"
    summary = (
        "Depends on an order Python does not fix: iterating a set or frozenset (a literal, `set()`, a set "
        "comprehension, set operations, or a name, parameter or function result typed or bound as one) in a "
        "`for`, a comprehension, `list()`/`tuple()`/`enumerate()`/`zip()`/`str.join()`, unpacking or "
        "`set.pop()`; "
        "and `hash()` and `id()`. Order-free uses stay quiet: `sorted(s)`, `len(s)`, `x in s`, "
        "`sum(s)`, `min/max`, "
        "set comprehensions over sets."
    )
    why = (
        "String and bytes hashes are salted per process (PYTHONHASHSEED), so a set of strings iterates in a "
        "different order after a restart or on another worker; `id()` is a memory address. Steps "
        "called in set "
        "order are called in another order on replay, which no longer matches the history. Lists and "
        "dicts keep "
        "insertion order and are safe."
    )
    replacement = "iterate `sorted(the_set)`, or keep the items in a list or dict (both keep insertion order)"
    USE_INSTEAD = """\
from portaflow import step, workflow

@step
def notify(user: str) -> None: ...

@workflow
def broadcast(ctx, users: list) -> None:
    for user in sorted(set(users)):
        notify(user)
"""
    VALID = (
        # order-free uses of sets
        """\
from portaflow import workflow

@workflow
def wf(ctx, users: list, admins: list):
    unique = set(users)
    both = unique & set(admins)
    ok = "root" in unique
    lengths = sum(len(u) for u in unique)
    return sorted(unique), len(both), ok, max(unique), lengths, {u.upper() for u in unique}
""",
        # dicts and lists keep insertion order
        """\
from portaflow import workflow

@workflow
def wf(ctx, scores: dict, items: list):
    total = 0
    for key, value in scores.items():
        total += value
    for key in scores:
        total += len(key)
    return [i * 2 for i in items], ",".join(sorted(scores)), list(scores.keys())
""",
        # a name rebound to a list is no longer a set
        """\
from portaflow import workflow

@workflow
def wf(ctx, tags: list):
    seen = sorted(set(tags))
    for tag in seen:
        pass
    return seen
""",
    )
    INVALID = (
        Invalid(
            """\
from portaflow import step, workflow

@step
def notify(user: str) -> None: ...

@workflow
def broadcast(ctx, users: list) -> None:
    for user in set(users):
        notify(user)
""",
            (8,),
        ),
        Invalid(
            """\
from portaflow import workflow

ADMINS = frozenset({"ann", "bob"})

def first_admin():
    return list(ADMINS)[0]

@workflow
def wf(ctx, tags: set[str], extra: list):
    names = {t.lower() for t in tags}
    ordered = [n for n in names]
    label = ", ".join(tags | set(extra))
    a, b = {1, 2}
    return first_admin(), ordered, label, names.pop(), hash("key"), id(ctx)
""",
            (6, 11, 12, 13, 14, 14, 14),
        ),
        Invalid(
            """\
from portaflow import workflow

def tags_of(ticket) -> set[str]:
    return set(ticket["tags"])

@workflow
def wf(ctx, ticket: dict):
    return {tag: True for tag in tags_of(ticket)}, [*tags_of(ticket)]
""",
            (8, 8),
        ),
    )

    def visit_For(self, node: cst.For, checker: Checker) -> None:
        if checker.is_set_like(node.iter):
            checker.report(UnorderedIteration, Report(node.iter, _MESSAGE))

    def visit_CompFor(self, node: cst.CompFor, checker: Checker) -> None:
        if not checker.is_set_like(node.iter):
            return
        comprehension = next(
            (
                p
                for p in reversed(checker.parents)
                if isinstance(p, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp))
            ),
            None,
        )
        if isinstance(comprehension, cst.SetComp) or (
            comprehension is not None and self._consumed_order_free(comprehension, checker)
        ):
            return
        checker.report(UnorderedIteration, Report(node.iter, _MESSAGE))

    @staticmethod
    def _consumed_order_free(comprehension: cst.CSTNode, checker: Checker) -> bool:
        parents = checker.parents
        try:
            index = len(parents) - 1 - parents[::-1].index(comprehension)
        except ValueError:
            return False
        if (
            index >= 2
            and isinstance(parents[index - 1], cst.Arg)
            and isinstance(parents[index - 2], cst.Call)
        ):
            call = parents[index - 2]
            assert isinstance(call, cst.Call)
            return checker.qname(call.func) in _ORDER_FREE
        if index >= 1 and isinstance(parents[index - 1], cst.Call):
            call = parents[index - 1]
            assert isinstance(call, cst.Call)
            return checker.qname(call.func) in _ORDER_FREE
        return False

    def visit_Assign(self, node: cst.Assign, checker: Checker) -> None:
        if any(isinstance(t.target, (cst.Tuple, cst.List)) for t in node.targets) and checker.is_set_like(
            node.value
        ):
            checker.report(
                UnorderedIteration,
                Report(
                    node.value, "unpacking a set: which element lands in which name changes between processes"
                ),
            )

    def visit_StarredElement(self, node: cst.StarredElement, checker: Checker) -> None:
        parent = checker.parent()
        if not isinstance(parent, cst.Set) and checker.is_set_like(node.value):
            checker.report(UnorderedIteration, Report(node, _MESSAGE))

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        reports: list[Report] = []
        qname = callee.qname if isinstance(callee, External) else None
        if qname in ("builtins.hash", "builtins.id"):
            what = "hash()" if qname == "builtins.hash" else "id()"
            why = (
                "string and bytes hashes are salted per process"
                if what == "hash()"
                else "it is a memory address, different on every run"
            )
            reports.append(
                Report(
                    call,
                    f"`{what}` differs between processes: {why}",
                    None,
                    "use a stable key (hashlib of the value, or the value itself)",
                )
            )
            return reports
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method == "join" and call.args and checker.is_set_like(call.args[0].value):
                reports.append(Report(call.args[0].value, _MESSAGE))
            elif method == "pop" and not call.args and checker.is_set_like(func.value):
                reports.append(
                    Report(call, "`set.pop()` removes an arbitrary element, which differs between processes")
                )
        if qname in _ORDERED:
            for arg in call.args:
                if arg.keyword is None and not arg.star and checker.is_set_like(arg.value):
                    reports.append(Report(arg.value, _MESSAGE))
        for arg in call.args:
            if arg.star == "*" and checker.is_set_like(arg.value) and qname not in _ORDER_FREE:
                reports.append(Report(arg.value, _MESSAGE))
        return reports
