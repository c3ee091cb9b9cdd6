"""The nodes of the intermediate representation every backend consumes.

Every node is a frozen dataclass with a ``kind`` tag, JSON-serialisable through :func:`.serial.to_json`.
Expressions carry a static type (``ty``) inferred by the frontend: ``int``, ``float``, ``str``,
``bool``, ``none``, ``list``, ``dict``, ``datetime`` (``ctx.now()``: each backend picks its
representation), ``timedelta`` (a difference of datetimes, a ``timedelta(...)``), ``error`` or ``any``
(unknown until run time). Backends use it to choose between lowerings (string concatenation versus
numeric ``+``) and fall back to run-time dispatch on ``any``. See ``docs/ir.md`` for how each node maps
onto the four targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as _field  # for classes with a field named `field`
from typing import Any, Literal

from ..formatspec import FormatSpec
from ..formatspec import parse as parse_spec

JsonValue = Any
# "set": a set made by the workflow (frontend/sets.py allows it only where its order cannot show); a JSON
# target holds it as a list of its distinct items
Type = Literal[
    "int", "float", "str", "bool", "none", "list", "dict", "set", "datetime", "timedelta", "error", "any"
]


@dataclass(frozen=True)
class Loc:
    """A source position: 1-based line and column."""

    line: int
    col: int


# ---------------------------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Const:
    value: JsonValue
    ty: Type
    kind: Literal["const"] = "const"


TEMPORARY = "%"  # the first character of a compiler temporary's name: never a Python identifier's


def temporary(stem: str) -> str:
    """The name of a variable the frontend introduces (``%ret``, ``%h1``): no user name can equal it, and
    each backend maps it into a namespace of its own (AWS: ``pf_`` + stem, where user names that start
    with ``pf_`` are renamed)."""
    return TEMPORARY + stem


def is_temporary(name: str) -> bool:
    return name.startswith(TEMPORARY)


def shown_name(name: str) -> str:
    """A variable's name as the user wrote it, for diagnostics: an inlined helper's local ``%inl3_v_lines``
    is ``lines``."""
    if is_temporary(name) and "_v_" in name:
        return name.split("_v_", 1)[1]
    return name


@dataclass(frozen=True)
class Name:
    id: str
    ty: Type = "any"
    kind: Literal["name"] = "name"


@dataclass(frozen=True)
class RunId:
    """``ctx.run_id``: the run's id (the execution name on AWS)."""

    ty: Type = "str"
    kind: Literal["run_id"] = "run_id"


@dataclass(frozen=True)
class Patched:
    """``ctx.patched("change-id")``: whether this run takes the new code of a change. A compiled run takes it
    when the code that started it had the change (docs/semantics.md, "ctx.patched on compile targets")."""

    change_id: str
    ty: Type = "bool"
    kind: Literal["patched"] = "patched"


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Expr, ...]
    ty: Type = "list"
    kind: Literal["list"] = "list"


@dataclass(frozen=True)
class DictExpr:
    keys: tuple[Expr, ...]
    values: tuple[Expr, ...]
    ty: Type = "dict"
    kind: Literal["dict"] = "dict"


@dataclass(frozen=True)
class Subscript:
    value: Expr
    index: Expr
    ty: Type = "any"
    kind: Literal["subscript"] = "subscript"


@dataclass(frozen=True)
class Slice:
    """``value[lower:upper:step]``; ``step`` None is a step of 1 (IR version 6; absent from the JSON then)."""

    value: Expr
    lower: Expr | None
    upper: Expr | None
    ty: Type = "any"
    step: Expr | None = field(default=None, metadata={"omit_if_none": True})
    kind: Literal["slice"] = "slice"


BinOpName = Literal["+", "-", "*", "/", "//", "%", "**"]


@dataclass(frozen=True)
class BinOp:
    op: BinOpName
    left: Expr
    right: Expr
    ty: Type = "any"
    kind: Literal["binop"] = "binop"


@dataclass(frozen=True)
class UnaryOp:
    op: Literal["-", "+", "not"]
    operand: Expr
    ty: Type = "any"
    kind: Literal["unary"] = "unary"


@dataclass(frozen=True)
class BoolOp:
    """``and`` / ``or``: returns one of its operands, with short-circuit evaluation."""

    op: Literal["and", "or"]
    values: tuple[Expr, ...]
    ty: Type = "any"
    kind: Literal["boolop"] = "boolop"


CompareOpName = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"]


@dataclass(frozen=True)
class Compare:
    """A (possibly chained) comparison: ``a < b <= c``; each operand is evaluated once."""

    left: Expr
    ops: tuple[CompareOpName, ...]
    comparators: tuple[Expr, ...]
    ty: Type = "bool"
    kind: Literal["compare"] = "compare"


@dataclass(frozen=True)
class IfExp:
    test: Expr
    body: Expr
    orelse: Expr
    ty: Type = "any"
    kind: Literal["ifexp"] = "ifexp"


@dataclass(frozen=True)
class FormattedValue:
    """``{value!conversion:spec}``: also ``format(value, spec)`` and a field of ``"...".format(...)``.

    ``spec`` is a static spec of Python's mini-language that the frontend checked for the value's static
    type; :attr:`format` holds its fields (``portaflow.compiler.formatspec``: parsed there once, for every
    backend)."""

    value: Expr
    conversion: Literal["", "s", "r"] = ""
    spec: str = ""
    kind: Literal["formatted"] = "formatted"

    @property
    def format(self) -> FormatSpec:
        """The fields of ``spec`` (cached by the parser)."""
        return parse_spec(self.spec)


@dataclass(frozen=True)
class FString:
    parts: tuple[Const | FormattedValue, ...]
    ty: Type = "str"
    kind: Literal["fstring"] = "fstring"


@dataclass(frozen=True)
class Call:
    """A call of a supported builtin (``len``, ``str``...) or method (``s.lower``, ``d.get``...).

    ``func`` is the builtin's name, or ``"<type>.<method>"`` for methods (``"str.lower"``, ``"dict.get"``;
    ``"any.<method>"`` when the receiver's type is only known at run time); for methods the receiver is
    ``args[0]``. ``"datetime.timestamp"`` and ``"datetime.isoformat"`` take a ``now`` Primitive's value (IR
    type ``datetime``: each backend picks its representation, an ISO string on AWS; docs/ir.md).
    """

    func: str
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...] = ()
    ty: Type = "any"
    kind: Literal["call"] = "call"


@dataclass(frozen=True)
class Lambda:
    """A one-expression function, only as the ``key=`` of ``sorted``/``min``/``max``."""

    params: tuple[str, ...]
    body: Expr
    ty: Type = "any"
    kind: Literal["lambda"] = "lambda"


@dataclass(frozen=True)
class Comprehension:
    target: Target
    iter: Expr
    ifs: tuple[Expr, ...]
    kind: Literal["comprehension"] = "comprehension"


@dataclass(frozen=True)
class ListComp:
    """A list comprehension, or (``generator``) a generator expression as the argument of the call that
    consumes it: the same list, except that ``any()``/``all()`` stop at the first item that decides them,
    so later items are never computed (nor raise). ``generator`` is absent from the JSON when False."""

    elt: Expr
    generators: tuple[Comprehension, ...]
    ty: Type = "list"
    generator: bool = field(default=False, metadata={"omit_if_none": True})
    kind: Literal["listcomp"] = "listcomp"


@dataclass(frozen=True)
class DictComp:
    key: Expr
    value: Expr
    generators: tuple[Comprehension, ...]
    ty: Type = "dict"
    kind: Literal["dictcomp"] = "dictcomp"


@dataclass(frozen=True)
class ErrorField:
    """``str(e)``, ``e.message``, ``e.type``, ``type(e).__name__``, ``e.step``, ``e.attempts`` of an error
    bound by ``except ... as e`` (``step`` and ``attempts`` are those of a failed step, None otherwise)."""

    name: str
    field: Literal["type", "message", "step", "attempts"]
    ty: Type = "str"
    # ``e.type``... written as an attribute, where no class the project defines has that attribute: only a
    # StepFailed has it (and, for ``type`` and ``message``, an EventFailed), and Python raises AttributeError
    # for any other error (``type(e).__name__`` and ``str(e)`` exist on every error)
    step_failure_only: bool = False
    # IR 7: ``name`` is a variable not bound by ``except``, which may hold any value: an exception item of a
    # fan-out with ``return_exceptions`` (Python's attribute; AttributeError on a JSON value or another
    # error), always with ``step_failure_only``
    any_value: bool = _field(default=False, metadata={"omit_if_none": True})
    kind: Literal["error_field"] = "error_field"


@dataclass(frozen=True)
class IsError:
    """``isinstance(value, C)`` where every class of ``C`` is an exception class (IR 7): whether ``value``
    is an exception that ``except C`` would catch, with ``types``, ``matches`` and ``catch_all`` as
    :class:`Handler` has them. Only a fan-out with ``return_exceptions`` (or a tolerance) puts exceptions
    among a workflow's values (docs/semantics.md, "Partial failure"); JSON values are never one."""

    value: Expr
    types: tuple[str, ...]
    matches: tuple[str, ...]
    catch_all: bool
    ty: Type = "bool"
    kind: Literal["is_error"] = "is_error"


Expr = (
    Const
    | Name
    | RunId
    | Patched
    | ListExpr
    | DictExpr
    | Subscript
    | Slice
    | BinOp
    | UnaryOp
    | BoolOp
    | Compare
    | IfExp
    | FString
    | Call
    | Lambda
    | ListComp
    | DictComp
    | ErrorField
    | IsError
)


@dataclass(frozen=True)
class NameTarget:
    id: str
    kind: Literal["target_name"] = "target_name"


@dataclass(frozen=True)
class TupleTarget:
    elts: tuple[Target, ...]
    kind: Literal["target_tuple"] = "target_tuple"


Target = NameTarget | TupleTarget

# ----------------------------------------------------------------------------------------------- statements


# the methods an in-place Assign stands for (frontend/mutations.py)
Method = Literal["", "append", "extend", "sort", "reverse", "insert", "remove", "pop", "clear", "update"]


@dataclass(frozen=True)
class Assign:
    """``target = value``. ``in_place`` marks ``xs.append(v)``, ``xs.extend(v)`` and ``x += v`` / ``x *= v``,
    whose ``value`` is the new value (``xs + [v]``...): Python changes a list in place there, which a target
    with reference semantics must do too; a target that copies values rebinds, which
    :mod:`portaflow.compiler.aliasing` proves equivalent or refuses."""

    target: Target
    value: Expr
    loc: Loc
    in_place: bool = False
    # "append" / "extend" where the source called that method (``value`` is still ``xs + [v]`` / ``xs + v``):
    # a target with reference semantics calls it, so a receiver that is not a list raises Python's
    # AttributeError, where ``xs += [v]`` would raise a TypeError. Any other method (IR version 7; the
    # frontend has made Python's checks before): ``value`` is the receiver's new contents, of static type
    # list or dict, which a target with reference semantics puts into the receiver's object itself (a
    # list's items, a dict's entries in order), so that every name sharing it sees them
    method: Method = ""
    kind: Literal["assign"] = "assign"


@dataclass(frozen=True)
class SetItem:
    """``target[index] = value`` on a local list or dict; ``in_place`` for ``target[index] += value`` and
    ``*=``, which change a list element in place (see :class:`Assign`)."""

    target: str
    index: Expr
    value: Expr
    loc: Loc
    in_place: bool = False
    kind: Literal["set_item"] = "set_item"


@dataclass(frozen=True)
class StepCall:
    """A durable step call. ``args`` are bound to the step's parameter names at compile time; a step that
    declares ``idempotency_key`` gets the key injected. Takes the next call number (see docs/semantics.md)."""

    step: str
    args: tuple[tuple[str, Expr], ...]
    target: Target | None
    loc: Loc
    kwargs: Expr | None = None  # ``**mapping``: a dict of further arguments, known at run time
    kind: Literal["step_call"] = "step_call"


@dataclass(frozen=True)
class ChildWorkflowCall:
    """A call of another ``@workflow``: its step calls are numbered with this call's number as prefix."""

    workflow: str
    args: tuple[tuple[str, Expr], ...]
    target: Target | None
    loc: Loc
    kind: Literal["child_call"] = "child_call"


@dataclass(frozen=True)
class StartWorkflow:
    """``ctx.start_workflow(wf, ...)``: ``workflow`` started as a run of its own, with the run id
    ``f"{run_id}-c{path}"`` (the call's path, dots as ``-``, the parent's id cut to keep 64 characters).
    Takes the next call number, as a step call does. ``wait``: ``ctx.start_workflow(...).result()``, the
    target gets the child's output, and its failure raises ``ChildFailed`` (also an instance of the child's
    error class). Not waiting, the target (a handle's variable) holds the child's run id, the value of
    ``handle.run_id``; the child is an independent run that outlives this one."""

    workflow: str
    args: tuple[tuple[str, Expr], ...]
    wait: bool
    target: Target | None
    loc: Loc
    kind: Literal["start_workflow"] = "start_workflow"


@dataclass(frozen=True)
class AwaitWorkflow:
    """``handle.result()`` of a child started earlier (``handle = ctx.start_workflow(workflow, ...)``):
    waits for the run whose id the variable ``handle`` holds; its output, or ``ChildFailed``."""

    handle: str
    workflow: str
    target: Target | None
    loc: Loc
    kind: Literal["await_workflow"] = "await_workflow"


@dataclass(frozen=True)
class MapCall:
    """``ctx.map(fn, items, max_concurrency=N)``: one call per item, results in item order. ``fn`` is the
    step ``step`` (item ``i`` is the step call at ``n.i``) or, from IR version 7, the child workflow
    ``workflow`` (``step`` is None): item ``i`` runs it with the item as its one argument, its calls
    numbered under ``n.i.``, and it may sleep, wait and fan out again (docs/semantics.md)."""

    step: str | None
    items: Expr
    max_concurrency: int | Expr | None  # an int literal, a number expression, or None (no limit)
    target: Target | None
    loc: Loc
    # partial failure (IR version 7, each left out of the JSON when unused): see FanOutFailures
    return_exceptions: bool = field(default=False, metadata={"omit_if_none": True})
    tolerated_failures: int | None = field(default=None, metadata={"omit_if_none": True})
    tolerated_failure_percentage: float | None = field(default=None, metadata={"omit_if_none": True})
    kind: Literal["map"] = "map"
    workflow: str | None = field(default=None, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class Branch:
    """One branch of ``ctx.parallel``: statements and the branch's result. From IR version 7 the statements
    are any a workflow's body may hold (sleeps, waits, child workflows, nested map and parallel)."""

    body: tuple[Stmt, ...]
    result: Expr
    kind: Literal["branch"] = "branch"


@dataclass(frozen=True)
class ParallelCall:
    """``ctx.parallel(*branches, max_concurrency=N)``: every branch, at most N at once; results in order."""

    branches: tuple[Branch, ...]
    target: Target | None
    loc: Loc
    max_concurrency: int | Expr | None = field(default=None, metadata={"omit_if_none": True})
    return_exceptions: bool = field(default=False, metadata={"omit_if_none": True})
    tolerated_failures: int | None = field(default=None, metadata={"omit_if_none": True})
    tolerated_failure_percentage: float | None = field(default=None, metadata={"omit_if_none": True})
    kind: Literal["parallel"] = "parallel"


@dataclass(frozen=True)
class Sleep:
    """A durable timer; ``seconds`` is a number expression (a literal duration is folded to a Const)."""

    seconds: Expr
    loc: Loc
    kind: Literal["sleep"] = "sleep"


@dataclass(frozen=True)
class WaitForEvent:
    """Returns the event's payload, or None when ``timeout_seconds`` pass first (None: wait forever).

    ``timeout_error`` is ``"EventTimeout"`` for ``raise_on_timeout=True``: the timeout raises that instead
    of returning None. ``label`` is the wait's name for people (status, history). An event delivered as a
    failure raises ``EventFailed`` carrying its type and message, matched by ``except`` clauses by that type
    name (docs/semantics.md, "Events").

    ``timeout`` (IR version 7) is a timeout computed at run time (``timeout_seconds`` is None then): the
    value ``ctx.wait_for_event`` is given, a number of seconds, a duration string or a timedelta, which a
    target reads as the local engine's ``parse_duration`` does (None: wait forever, or ``WorkflowError``
    with ``raise_on_timeout``; a value that is not a duration: its ``ValueError``)."""

    event: str | Expr  # a literal name, or (IR version 7) a str expression computed at run time
    timeout_seconds: float | None
    target: Target | None
    loc: Loc
    kind: Literal["wait_for_event"] = "wait_for_event"
    timeout_error: Literal["EventTimeout"] | None = field(default=None, metadata={"omit_if_none": True})
    # a literal, or (IR version 7) an f-string computed at run time that cannot raise and has text of its
    # own (so is never empty): no target has to check it
    label: str | Expr | None = field(default=None, metadata={"omit_if_none": True})
    timeout: Expr | None = field(default=None, metadata={"omit_if_none": True})


@dataclass(frozen=True)
class Log:
    """``ctx.log(message, **fields)`` (IR 7): ``message`` is a str expression (the frontend wraps any other
    in ``str()``), ``fields`` a dict expression of JSON values. Written once per run, never again on replay;
    it takes no position, so the step keys around it do not move (docs/semantics.md, "Logging")."""

    message: Expr
    fields: Expr
    loc: Loc
    kind: Literal["log"] = "log"


@dataclass(frozen=True)
class Primitive:
    """``ctx.now()`` (ISO-8601 UTC string on cloud targets), ``ctx.uuid4()``, ``ctx.random()`` and
    ``ctx.idempotency_key()`` (the key the next step call will get)."""

    op: Literal["now", "uuid4", "random", "idempotency_key"]
    target: Target | None
    loc: Loc
    kind: Literal["primitive"] = "primitive"


@dataclass(frozen=True)
class If:
    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    loc: Loc
    kind: Literal["if"] = "if"


@dataclass(frozen=True)
class While:
    test: Expr
    body: tuple[Stmt, ...]
    loc: Loc
    kind: Literal["while"] = "while"


@dataclass(frozen=True)
class For:
    target: Target
    iter: Expr
    body: tuple[Stmt, ...]
    loc: Loc
    kind: Literal["for"] = "for"


@dataclass(frozen=True)
class Break:
    loc: Loc
    kind: Literal["break"] = "break"


@dataclass(frozen=True)
class Continue:
    loc: Loc
    kind: Literal["continue"] = "continue"


@dataclass(frozen=True)
class Handler:
    """One ``except`` clause. ``types`` are error type names (empty: catches every error); ``matches`` the
    names it catches once subclasses the compiler can see are included (built-in exceptions and classes of
    the workflow's module and of the project modules it imports); ``catch_all`` for ``except:``,
    ``except Exception`` and ``except BaseException``. A handler whose ``types`` name ``StepFailed`` also
    catches every failure of a step (retries exhausted, non-retryable, timed out), and nothing else: an
    exception raised by workflow code (or a child workflow's code) is not a ``StepFailed``."""

    types: tuple[str, ...]
    matches: tuple[str, ...]
    catch_all: bool
    name: str | None
    body: tuple[Stmt, ...]
    kind: Literal["handler"] = "handler"


@dataclass(frozen=True)
class Try:
    body: tuple[Stmt, ...]
    handlers: tuple[Handler, ...]
    orelse: tuple[Stmt, ...]
    finalbody: tuple[Stmt, ...]
    loc: Loc
    kind: Literal["try"] = "try"


@dataclass(frozen=True)
class Raise:
    """``raise Type("message")``, or a re-raise (``error_type`` None) of the handled error: bare ``raise``
    or ``raise e`` (``error_var`` names the ``except ... as e`` variable)."""

    error_type: str | None
    message: Expr | None
    loc: Loc
    error_var: str | None = None
    kind: Literal["raise"] = "raise"


@dataclass(frozen=True)
class Return:
    value: Expr
    loc: Loc
    kind: Literal["return"] = "return"


Stmt = (
    Assign
    | SetItem
    | StepCall
    | ChildWorkflowCall
    | StartWorkflow
    | AwaitWorkflow
    | MapCall
    | ParallelCall
    | Sleep
    | WaitForEvent
    | Primitive
    | Log
    | If
    | While
    | For
    | Break
    | Continue
    | Try
    | Raise
    | Return
)

# ------------------------------------------------------------------------------------------------ top level


@dataclass(frozen=True)
class RetrySpec:
    """A step's retry policy. ``max_attempts`` counts every attempt, the first included."""

    max_attempts: int = 3
    initial_interval: float = 1.0
    backoff: float = 2.0
    max_interval: float = 60.0
    non_retryable: tuple[str, ...] = ()
    non_retryable_matches: tuple[str, ...] = ()
    # RetryPolicy(retry_on=...): only these errors are retried (never given with non_retryable)
    retry_on: tuple[str, ...] = field(default=(), metadata={"omit_if_none": True})
    retry_on_matches: tuple[str, ...] = field(default=(), metadata={"omit_if_none": True})
    # RetryPolicy(jitter=...): the random fraction of each delay (1.0 = "full"), None = no jitter (IR 7);
    # the delay is portaflow.dsl.retry.jittered(), from the step call's key and the attempt
    jitter: float | None = field(default=None, metadata={"omit_if_none": True})

    def delay_before(self, attempt: int) -> float:
        """Seconds waited before ``attempt`` (2 = the first retry)."""
        return float(min(self.initial_interval * self.backoff ** (attempt - 2), self.max_interval))


@dataclass(frozen=True)
class StepDef:
    """A ``@step`` the workflow calls. ``name`` is what the run shows (``name=`` or the function's name, as on
    the local engine; two steps may share it); ``function`` is defined in the module ``module`` (its dotted
    import name) of the file ``source``, where ``loc`` points. The step's key in :attr:`Program.steps` is
    ``function`` for a step of the workflow's own module and ``module.function`` for an imported one."""

    name: str
    function: str
    params: tuple[str, ...]
    required: tuple[str, ...]
    wants_idempotency_key: bool
    retry: RetrySpec
    timeout_seconds: float | None
    returns: Type
    loc: Loc
    module: str = ""
    source: str = ""
    # where the decorator's options are written: "timeout", "retry", "initial_interval", "max_interval"
    option_locs: tuple[tuple[str, Loc], ...] = ()
    kind: Literal["step"] = "step"

    def option_loc(self, *options: str) -> Loc:
        """The position of the first of ``options`` written in the source, else of the ``def``."""
        found = dict(self.option_locs)
        return next((found[o] for o in options if o in found), self.loc)


@dataclass(frozen=True)
class Param:
    name: str
    default: Expr | None
    ty: Type = "any"
    kind: Literal["param"] = "param"


@dataclass(frozen=True)
class WorkflowDef:
    """A ``@workflow``; keyed in :attr:`Program.workflows` like steps (``function``, or ``module.function``
    when imported from another module). Locations in its body are in ``source``."""

    name: str
    function: str
    ctx: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    loc: Loc
    module: str = ""
    source: str = ""
    # @workflow(timeout=...) in seconds: the run's execution timeout (absent from the JSON when None)
    timeout: float | None = field(default=None, metadata={"omit_if_none": True})
    kind: Literal["workflow"] = "workflow"


@dataclass(frozen=True)
class Program:
    """A compiled workflow: the entry workflow, the child workflows it calls, the steps they use.

    ``module`` is the dotted import name of the workflow's file (``flow``, or ``shop.flow`` for a file in the
    package ``shop``, as ``python -m`` imports it). Imported steps and workflows name their own module."""

    source: str
    module: str
    entry: str
    workflows: dict[str, WorkflowDef] = field(default_factory=dict)
    steps: dict[str, StepDef] = field(default_factory=dict)
    ir_version: int = 7
    kind: Literal["program"] = "program"
