"""PF109: module-level mutable state changed by workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved, Variable
from portaflow.lint.rules.base import Invalid, Report, Rule
from portaflow.source.names import dotted_name

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_MUTATING_METHODS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "sort",
        "reverse",  # list
        "update",
        "setdefault",
        "popitem",  # dict
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",  # set
        "appendleft",
        "extendleft",
        "popleft",
        "rotate",  # deque
    }
)
_CONTAINER_FACTORIES = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.Counter",
        "collections.deque",
    }
)
_CONTAINER_ANNOTATIONS = frozenset(
    {
        "list",
        "dict",
        "set",
        "List",
        "Dict",
        "Set",
        "DefaultDict",
        "OrderedDict",
        "Counter",
        "Deque",
        "deque",
        "defaultdict",
        "MutableMapping",
        "MutableSequence",
        "MutableSet",
        "bytearray",
    }
)


def _is_container_value(value: cst.BaseExpression, checker: Checker, variable: Variable) -> bool:
    if isinstance(value, (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)):
        return True
    if isinstance(value, cst.Call):
        callee = checker.resolver.resolve_expr(value.func, None, variable.module)
        return isinstance(callee, External) and callee.qname in _CONTAINER_FACTORIES
    return False


def module_container(resolved: Resolved, checker: Checker) -> Variable | None:
    """The module-level variable holding a list, dict, set or deque that ``resolved`` refers to, if any."""
    if not isinstance(resolved, Variable) or resolved.scope is not None:
        return None
    if any(_is_container_value(v, checker, resolved) for v in resolved.values):
        return resolved
    for annotation in resolved.annotations:
        base = annotation.value if isinstance(annotation, cst.Subscript) else annotation
        name = dotted_name(base)
        if name is not None and name.rsplit(".", 1)[-1] in _CONTAINER_ANNOTATIONS:
            return resolved
    return None


def _container_of(expr: cst.BaseExpression) -> cst.BaseExpression:
    """``CACHE`` for ``CACHE[a][b]``: an item of a module-level container is part of it."""
    while isinstance(expr, cst.Subscript):
        expr = expr.value
    return expr


def _where(variable: Variable, checker: Checker) -> str:
    if variable.module is checker.module:
        return f"module-level `{variable.name}`"
    return f"`{variable.module.name}.{variable.name}`"


class GlobalState(Rule):
    code = "PF109"
    name = "global-mutable-state"
    summary = (
        "Changes state that outlives the run: `global` and `nonlocal` rebinding, and mutating a module-level "
        "list, dict, set or deque (method calls such as `append`/`update`/`add`, item assignment, `del`, "
        "augmented assignment), including one imported from another module."
    )
    why = (
        "Module-level objects live as long as the worker process, not as long as the run. Another "
        "run, or the "
        "first attempt of this one, has already changed them, so a replay starts from other values than the "
        "first run did; in a cloud engine each replay may start in a fresh process with none of them."
    )
    replacement = (
        "keep the state in local variables of the workflow and pass it to helpers, or record it in a step"
    )
    USE_INSTEAD = """\
from portaflow import workflow

@workflow
def triage(ctx, tickets: list) -> list:
    seen = []
    for ticket in tickets:
        seen.append(ticket["id"])
    return seen
"""
    VALID = (
        # reading module-level constants is fine, and local containers may change
        """\
from portaflow import workflow

LIMITS = {"refund": 100}
STATES = ["open", "closed"]

@workflow
def wf(ctx, amount: float):
    cache = {}
    cache["limit"] = LIMITS["refund"]
    allowed = list(STATES)
    allowed.append("pending")
    return amount <= cache["limit"], allowed
""",
        # a parameter shadows the module-level name
        """\
from portaflow import workflow

HISTORY = []

def record(HISTORY, item):
    HISTORY.append(item)

@workflow
def wf(ctx, item):
    record([], item)
""",
    )
    INVALID = (
        Invalid(
            """\
from portaflow import workflow

SEEN = []

@workflow
def triage(ctx, tickets: list) -> list:
    for ticket in tickets:
        SEEN.append(ticket["id"])
    return SEEN
""",
            (8,),
        ),
        Invalid(
            """\
from collections import defaultdict
from portaflow import workflow

counter = 0
CACHE: dict[str, int] = {}
BY_USER = defaultdict(list)

def bump():
    global counter
    counter += 1

@workflow
def wf(ctx, key: str):
    bump()
    CACHE[key] = 1
    del CACHE["old"]
    BY_USER[key].append(1)
    BY_USER.clear()
    return counter
""",
            (9, 15, 16, 17, 18),
        ),
        Invalid(
            """\
from portaflow import workflow

@workflow
def wf(ctx, items: list):
    total = 0

    def add(x):
        nonlocal total
        total += x

    for item in items:
        add(item)
    return total
""",
            (8,),
        ),
    )

    def visit_Global(self, node: cst.Global, checker: Checker) -> None:
        self._rebinding(node, "global", checker)

    def visit_Nonlocal(self, node: cst.Nonlocal, checker: Checker) -> None:
        self._rebinding(node, "nonlocal", checker)

    @staticmethod
    def _rebinding(node: cst.Global | cst.Nonlocal, keyword: str, checker: Checker) -> None:
        rebound = [item.name.value for item in node.names if item.name.value in checker.scope.bindings]
        if rebound:
            names = ", ".join(f"`{n}`" for n in rebound)
            where = "module-level" if keyword == "global" else "enclosing-function"
            checker.report(
                GlobalState,
                Report(
                    node,
                    f"`{keyword}` rebinds {where} {names} from workflow code; that state outlives the "
                    "run and "
                    "differs on replay",
                ),
            )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _MUTATING_METHODS:
            return ()
        variable = module_container(checker.resolve(_container_of(func.value)), checker)
        if variable is None:
            return ()
        return (
            Report(
                call,
                f"`.{func.attr.value}()` mutates {_where(variable, checker)}, which outlives the run "
                "and differs on "
                "replay",
            ),
        )

    def _check_target(self, target: cst.BaseExpression, checker: Checker, node: cst.CSTNode) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._check_target(element.value, checker, node)
            return
        if not isinstance(target, (cst.Subscript, cst.Attribute)):
            return
        variable = module_container(checker.resolve(_container_of(target.value)), checker)
        if variable is not None:
            checker.report(
                GlobalState,
                Report(
                    node,
                    f"assigning into {_where(variable, checker)} mutates state that outlives the run "
                    "and differs "
                    "on replay",
                ),
            )

    def visit_Assign(self, node: cst.Assign, checker: Checker) -> None:
        for target in node.targets:
            self._check_target(target.target, checker, node)

    def visit_AugAssign(self, node: cst.AugAssign, checker: Checker) -> None:
        self._check_target(node.target, checker, node)

    def visit_AnnAssign(self, node: cst.AnnAssign, checker: Checker) -> None:
        if node.value is not None:
            self._check_target(node.target, checker, node)

    def visit_Del(self, node: cst.Del, checker: Checker) -> None:
        self._check_target(node.target, checker, node)
