"""What a rule is: its code, texts for users and docs, its examples, and the hooks the engine calls.

A rule never walks the tree itself. The engine walks each function that a workflow reaches once, resolves
names, and calls ``check_call`` for every call (with the callee already resolved) and ``visit_<NodeType>`` for
other nodes. Rules return or report findings through the :class:`Checker` they are given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from portaflow.lint.engine.index import ImportRef

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker
    from portaflow.lint.engine.scopes import Resolved


@dataclass(frozen=True, slots=True)
class Fix:
    """Replace ``node`` by ``build(updated_node)``; then drop the listed imports if nothing else uses them."""

    node: cst.CSTNode
    build: Callable[[cst.CSTNode], cst.CSTNode]
    description: str
    imports: tuple[ImportRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    node: cst.CSTNode
    message: str
    fix: Fix | None = None
    no_fix_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Invalid:
    """An example that must be flagged: the rule's code at each of ``lines``; ``fixed`` is the code after
    --fix."""

    code: str
    lines: tuple[int, ...]
    fixed: str | None = None


@dataclass(frozen=True, slots=True)
class RuleDoc:
    code: str
    name: str
    summary: str
    why: str
    replacement: str
    fix: str
    bad: str
    good: str


class Rule:
    """Base class of all rules. Subclasses set the class attributes and implement some hooks."""

    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, stable
    summary: ClassVar[str]  # what it finds, one sentence
    why: ClassVar[str]  # why that breaks replay
    replacement: ClassVar[str]  # what to write instead (shown as help)
    fix_description: ClassVar[str] = ""  # what --fix does; empty: no automatic fix
    USE_INSTEAD: ClassVar[str]  # the corrected version of the first INVALID example (also a VALID case)
    VALID: ClassVar[Sequence[str]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        """Findings for one call; must not have side effects (the engine may ask twice)."""
        return ()

    @classmethod
    def has_call_hook(cls) -> bool:
        return cls.check_call is not Rule.check_call

    @classmethod
    def doc(cls) -> RuleDoc:
        return RuleDoc(
            cls.code,
            cls.name,
            cls.summary,
            cls.why,
            cls.replacement,
            cls.fix_description,
            cls.INVALID[0].code if cls.INVALID else "",
            cls.USE_INSTEAD,
        )


def call_args(call: cst.Call) -> tuple[list[cst.Arg], dict[str, cst.Arg]]:
    """Positional and keyword arguments of a call (star-args count as positional)."""
    positional = [a for a in call.args if a.keyword is None]
    keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
    return positional, keywords


def has_no_args(call: cst.Call) -> bool:
    return not call.args


def is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def arg_or_none(call: cst.Call, index: int, keyword: str) -> cst.Arg | None:
    """The argument at ``index`` or named ``keyword``; None if absent or literally None."""
    positional, keywords = call_args(call)
    arg = positional[index] if len(positional) > index else keywords.get(keyword)
    if arg is None or is_none(arg.value) or arg.star:
        return None if arg is None or not arg.star else arg
    return arg


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def without_keyword(arg: cst.Arg) -> cst.Arg:
    return arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT, comma=cst.MaybeSentinel.DEFAULT)


def short(qname: str) -> str:
    """A qualified name as users write it: ``datetime.datetime.now`` stays, ``builtins.open`` becomes
    ``open``."""
    return qname[len("builtins.") :] if qname.startswith("builtins.") else qname
