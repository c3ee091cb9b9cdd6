"""Lower a Program to an Amazon States Language definition in JSONata mode.

Statements are lowered back to front in continuation-passing style: each statement gets the name of the state
that follows it and returns the name of its first state. Loops become Choice states with back edges, child
workflows are inlined (moto cannot run ``startExecution.sync``), try/except becomes Catch by error name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from portaflow.backends import partial
from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic

from ..backend import AwsBackend
from ..runtime.portaflow_aws_runtime import ERROR_MARK
from . import childruns, timedeltas, waits
from .jsonata import ERROR_MARKER_REGEX, Lowerer, jstr, own_variable, variable_name

STEP_ARN = "arn:aws:states:::lambda:invoke"
WAIT_ARN = "arn:aws:states:::lambda:invoke.waitForTaskToken"
EVENTS_FUNCTION = "${EventsFunctionArn}"
# the name of a jittered step's retry Wait (AslCompiler.jittered_attempts): the offline harness records it
# as the failed attempt's delay, not as a sleep
RETRY_WAIT = "Retry wait"
HISTORY_LIMIT = AwsBackend.capabilities.max_history_events or 0  # one number: the backend declares it
INPUT_ERROR = "InvalidInput"

# The error of a failed Task, as {"type", "message", "mro"}: a step's error arrives as a Lambda error whose
# errorMessage is the runtime's JSON object (runtime.StepError: original type, message, MRO names); any
# other error (States.*) is taken by its name and cause; a step timeout (States.Timeout) becomes TimeoutError.
TIMEOUT_MRO = '["TimeoutError", "OSError", "Exception", "BaseException"]'
ERROR_MARK_PREFIX = '{"' + ERROR_MARK + '":'


# An expression's Python exception ({type, message}, jsonata.ERROR_MARKER) found in the Cause $c of a state
# that failed with error $e. A JSONata failure without the marker (one the lowering does not model as a Python
# exception) is a QueryEvaluationError (not "States.": a Fail state cannot raise a States.* name), caught by
# `except Exception`. {} for any other error.
QUERY_EVALUATION_ERROR = "QueryEvaluationError"
# the name of error $e as a Fail state may raise it (without "States.")
ERROR_NAME = (
    '($exists($e) ? ($substring($e, 0, 7) = "States." ? $substring($e, 7) : $e) : '
    f'"{QUERY_EVALUATION_ERROR}")'
)
# The Cause of a JSONata failure quotes the whole expression (kilobytes of generated code): the message is
# what follows its last "threw an error during evaluation: ", up to the end of that line
QUERY_MESSAGE = '$substringBefore($split($c, "threw an error during evaluation: ")[-1], "\\n")'
MARKED_ERROR = (
    f'($k := $type($c) = "string" ? $match($c, {ERROR_MARKER_REGEX}) : []; '
    "$count($k) > 0 ? $parse($base64decode($k[0].groups[0])) : "
    f'$e = "States.QueryEvaluationError" ? {{"type": "{QUERY_EVALUATION_ERROR}", "message": '
    f'$type($c) = "string" ? {QUERY_MESSAGE} : ""}} : {{}})'
)
PURE_FIELDS = '"mro": [$x.type], "step": null, "attempts": null'


def expression_error() -> str:
    """The error of a state whose expression failed, as {type, message, mro, step, attempts}: the Python
    exception the expression raised (jsonata.ERROR_MARKER), else the state's own error name and cause."""
    return (
        "($c := $states.errorOutput.Cause; $e := $states.errorOutput.Error; "
        f"$x := {MARKED_ERROR}; "
        '$x := $exists($lookup($x, "type")) ? $x : '
        f'{{"type": {ERROR_NAME}, "message": $type($c) = "string" ? $c : ""}}; '
        f'{{"type": $x.type, "message": $x.message, {PURE_FIELDS}}})'
    )


EXPRESSION_ERROR = expression_error()


def error_from_output(
    timeout_message: str = "timed out", step: str | None = None, attempts: str | None = None
) -> str:
    """The error of a failed Task as {type, message, mro, step, attempts} (the fields of StepFailed).

    A step's error is the runtime's JSON object; an expression of the Task that failed (its arguments, or
    the binding of its result) raised a Python exception of the workflow (step and attempts null)."""
    step_field = jstr(step) if step is not None else "null"
    if attempts is None:  # the attempt a Task's own Retry reached (an explicit retry loop says its own)
        attempts = "$states.context.State.RetryCount + 1" if step is not None else "null"
    return (
        "($c := $states.errorOutput.Cause; $e := $states.errorOutput.Error; "
        '$p := $type($c) = "string" and $substring($c, 0, 1) = "{" ? $parse($c) : {}; '
        '$m := $lookup($p, "errorMessage"); '
        f'$q := $type($m) = "string" and $substring($m, 0, {len(ERROR_MARK_PREFIX)}) = '
        f"{jstr(ERROR_MARK_PREFIX)} ? $parse($m) : {{}}; "
        f'$x := $exists($lookup($q, "type")) ? {{}} : {MARKED_ERROR}; '
        '$exists($lookup($x, "type")) ? '
        f'{{"type": $x.type, "message": $x.message, {PURE_FIELDS}}} : ('
        '$t := $exists($lookup($q, "type")) ? $lookup($q, "type") : '
        '$e = "States.Timeout" ? "TimeoutError" : $e; '
        '{"type": $t, '
        '"message": $exists($lookup($q, "message")) ? $lookup($q, "message") : $exists($m) ? $m : '
        f'$e = "States.Timeout" ? {jstr(timeout_message)} : ($type($c) = "string" ? $c : ""), '
        '"mro": $exists($lookup($q, "mro")) ? $lookup($q, "mro") : '
        f'$e = "States.Timeout" ? {TIMEOUT_MRO} : [$t], '
        f'"step": {step_field}, "attempts": {attempts}}}))'
    )


ERROR_FROM_OUTPUT = error_from_output()


def jittered(sd: ir.StepDef) -> bool:
    """Whether the step's retries wait jittered delays: an explicit loop of states, not a Task's Retry."""
    return sd.retry.jitter is not None and sd.retry.max_attempts > 1


# The failure of the run when the whole machine runs in the guard's branch (AslCompiler.top_guard): an
# expression's Python exception fails the run as the local engine's does ({"errorType", "errorMessage"}, as
# fail_dynamic); any other error (a Fail state of the branch, InvalidInput) is passed on as it is
RUN_ERROR = (
    "($c := $states.errorOutput.Cause; $e := $states.errorOutput.Error; "
    f"$x := {MARKED_ERROR}; "
    '$exists($lookup($x, "type")) ? {"error": $x.type, "cause": $string({"errorType": $x.type, '
    f'"errorMessage": $x.message}})}} : {{"error": {ERROR_NAME}, '
    '"cause": $type($c) = "string" ? $c : ""})'
)

# `except StepFailed` catches the failures of steps: errors whose "step" is set (error_from_output of a step's
# Task or Map item; kept by a re-raise). An error raised by workflow code has "step": null, as has an
# expression that fails in a Task's arguments (an exception of the workflow, not of the step).
STEP_FAILED = "StepFailed"
STEP_FAILED_TEST = '$type($lookup($pf_err, "step")) = "string"'


def event_timeout_error(s: ir.WaitForEvent, name_expr: str | None = None) -> str:
    """The $pf_err of a wait's EventTimeout (raise_on_timeout): the local engine's type and message.
    ``name_expr``: the JSONata of a run-time name's repr (the literal's is written out)."""
    from portaflow.dsl.durations import format_duration

    within = f" did not arrive within {format_duration(s.timeout_seconds or 0)}"
    if name_expr is not None:
        message_expr = f'"event " & {name_expr} & {jstr(within)}'
        mro = '["EventTimeout", "TimeoutError", "OSError", "Exception", "BaseException"]'
        fields = f'"type": "EventTimeout", "message": {message_expr}, "mro": {mro}'
        return f'{{{fields}, "step": null, "attempts": null}}'
    message = f"event {s.event!r}{within}"
    mro = '["EventTimeout", "TimeoutError", "OSError", "Exception", "BaseException"]'
    fields = f'"type": "EventTimeout", "message": {jstr(message)}, "mro": {mro}'
    return f'{{{fields}, "step": null, "attempts": null}}'


def timeout_message(sd: ir.StepDef) -> str:
    from portaflow.dsl.durations import format_duration

    return f"step {sd.name!r} timed out after {format_duration(sd.timeout_seconds or 0)}"


def step_function_ref(ident: str) -> str:
    return "${" + f"StepFn_{ident}" + "}"


def step_idents(program: ir.Program) -> dict[str, str]:
    """Step key -> a name made of letters, digits and ``_``, unique in the program, for the step's Lambda
    function (handler ``handle_<ident>``, substitution ``StepFn_<ident>``). A step of the workflow's module
    keeps its function name; an imported step ``billing.charge`` becomes ``billing__charge``, so steps with
    the same function name in different modules never share a Lambda function."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(program.steps, key=lambda k: ("." in k, k)):
        base = re.sub(r"\W", "_", key.replace(".", "__"))
        ident, n = base, 2
        while ident in taken:
            ident, n = f"{base}_{n}", n + 1
        taken.add(ident)
        out[key] = ident
    return out


def logical_id(step: str) -> str:
    return "Step" + "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", step) if p) + "Function"


@dataclass(frozen=True)
class TryFrame:
    handlers: tuple[tuple[ir.Handler, str], ...]  # (handler, entry state)


@dataclass(frozen=True)
class FinallyFrame:
    error_entry: str  # runs the finally body, then re-raises $pf_err
    body: tuple[ir.Stmt, ...]


Frame = TryFrame | FinallyFrame


@dataclass(frozen=True)
class Ctx:
    """Where a statement is lowered."""

    rename: dict[str, str]
    var_prefix: str  # for names not in rename (child workflow / parallel branch locals)
    prefix_expr: str  # JSONata: the idempotency-key path prefix ("" at top level, "3." in a child)
    seq_var: str  # variable counting this scope's numbered calls
    frames: tuple[Frame, ...] = ()
    fn_frames: int = 0  # frames[:fn_frames] belong to callers (returns do not cross them)
    loop: tuple[str, str, int] | None = None  # (break target, continue target, len(frames) at loop)
    ret: tuple[str, str] | None = None  # child workflow: (result variable, continuation)
    branch_error: str | None = None  # parallel branch: state that outputs {"e": error}
    scope_vars: frozenset[str] = field(default_factory=frozenset)


class AslCompiler:
    def __init__(self, program: ir.Program) -> None:
        self.p = program
        self.idents = step_idents(program)
        self.source = program.source  # the file of the workflow being lowered (children may be imported)
        self.diags: list[Diagnostic] = []
        self.states: dict[str, dict[str, Any]] = {}
        self._names: set[str] = set()
        self._n = 0
        self._fail_dynamic: str | None = None
        self._routers: dict[tuple[int | str, ...], tuple[tuple[Frame, ...], str]] = {}
        self.loop_states: dict[int, list[str]] = {}  # id of a While/For -> the states of one iteration
        self.top_guard = False  # an expression outside any try may raise: see wrap_in_top_guard
        self.child_failures = bool(childruns.started_workflows(program))  # ctx.start_workflow: ChildFailed

    # ------------------------------------------------------------------------------------------- helpers
    def name(self, label: str, loc: ir.Loc | None = None) -> str:
        base = f"{label} L{loc.line}" if loc is not None else label
        base = base[:72]
        n = base
        i = 2
        while n in self._names:
            n = f"{base} #{i}"
            i += 1
        self._names.add(n)
        return n

    def uid(self) -> int:
        self._n += 1
        return self._n

    def err(
        self, loc: ir.Loc, message: str, hint: str, code: str = "PFC040", source: str | None = None
    ) -> None:
        self.diags.append(Diagnostic(code, message, source or self.source, loc.line, loc.col, hint))

    def warn(self, loc: ir.Loc, code: str, message: str, hint: str) -> None:
        self.diags.append(Diagnostic(code, message, self.source, loc.line, loc.col, hint, "warning"))

    def low(self, ctx: Ctx) -> Lowerer:
        low = Lowerer(lambda n: "$" + self.var(ctx, n))
        low.child_failures = self.child_failures
        return low

    def var(self, ctx: Ctx, n: str) -> str:
        if n in ctx.rename:
            return ctx.rename[n]
        return variable_name(n, ctx.var_prefix)

    def tpl(self, ctx: Ctx, e: ir.Expr) -> str:
        return self.low(ctx).template(e)

    def key_expr(self, ctx: Ctx) -> str:
        return f'$pf_run & ":" & {ctx.prefix_expr} & $string(${ctx.seq_var})'

    def whole_seconds(self, seconds: float, loc: ir.Loc, what: str, source: str | None = None) -> int:
        if seconds != int(seconds) or seconds < 1:
            self.err(
                loc,
                f"{what} is {seconds:g}s: Step Functions only counts whole seconds (>= 1)",
                'use a whole number of seconds, e.g. "1s" or "2s"',
                source=source,
            )
            return max(1, round(seconds))
        return int(seconds)

    def assign_target(
        self, ctx: Ctx, target: ir.Target | None, src: str, low: Lowerer | None = None
    ) -> dict[str, str]:
        """Assign entries binding ``src`` (a JSONata expression lowered with ``low``) to the target."""
        if target is None:
            return {}
        low = low or self.low(ctx)
        pairs = low.bind_target_expr(target, src)
        return {self.var(ctx, n): "{% " + low.finish(e) + " %}" for n, e in pairs}

    # ------------------------------------------------------------------------------------------- errors
    def fail_dynamic(self) -> str:
        """A Fail state raising $pf_err ({type, message})."""
        if self._fail_dynamic is None:
            n = self.name("Fail with error")
            self.states[n] = {
                "Type": "Fail",
                # a custom error name cannot start with "States." (a JSONata failure the lowering does not
                # model is a QueryEvaluationError, never States.*; this keeps any other name legal)
                "Error": "{% $substring($pf_err.type, 0, 7) = "
                '"States." ? $substring($pf_err.type, 7) : $pf_err.type %}',
                "Cause": '{% $string({"errorType": $pf_err.type, "errorMessage": $pf_err.message}) %}',
            }
            self._fail_dynamic = n
        return self._fail_dynamic

    def catchers(
        self, ctx: Ctx, extra_assign: dict[str, str], loc: ir.Loc, error: str = ERROR_FROM_OUTPUT
    ) -> list[dict[str, Any]]:
        """The Catch of a Task at ``ctx``: every error becomes $pf_err and goes where a raise would go.

        Not Catch by error name: Python matches ``except`` by every class in the error's MRO, which only the
        runtime knows (a class from another module); the Choice of :meth:`raise_dynamic` matches the MRO
        names the error carries. Uncaught, the run fails with the error's own type and message."""
        assign = {"pf_err": "{% " + error + " %}", **extra_assign}
        return [{"ErrorEquals": ["States.ALL"], "Assign": assign, "Next": self.raise_dynamic(ctx, loc)}]

    def raise_dynamic(self, ctx: Ctx, loc: ir.Loc) -> str:
        """States that route $pf_err to the innermost matching handler, or fail the run.

        A handler matches when the error's type or any class name of its MRO (``$pf_err.mro``, for errors
        of steps) is one the handler catches, or when it names ``StepFailed`` and the error is a step's."""
        if ctx.branch_error is not None and not ctx.frames:
            return ctx.branch_error
        # a branch's (map item's) frames are its own (they start empty): uncaught, the error is the branch's
        key: tuple[int | str, ...] = (*(id(f) for f in ctx.frames), ctx.branch_error or "")  # kept alive
        if key in self._routers:
            return self._routers[key][1]
        choices: list[dict[str, Any]] = []
        default = self.fail_dynamic() if ctx.branch_error is None else ctx.branch_error
        for frame in reversed(ctx.frames):
            if isinstance(frame, FinallyFrame):
                default = frame.error_entry
                break
            stop = False
            for h, entry in frame.handlers:
                if h.catch_all:
                    default = entry
                    stop = True
                    break
                names = json.dumps(list(h.matches))
                step_failed = f" or {STEP_FAILED_TEST}" if STEP_FAILED in h.types else ""
                choices.append(
                    {
                        "Condition": "{% $pf_err.type in "
                        + names
                        + ' or $count($filter($lookup($pf_err, "mro"), function($n){$n in '
                        + names
                        + "})) > 0"
                        + step_failed
                        + " %}",
                        "Next": entry,
                    }
                )
            if stop:
                break
        if not choices:
            n = default
        else:
            n = self.name("Route error", loc)
            self.states[n] = {"Type": "Choice", "Choices": choices, "Default": default}
        self._routers[key] = (ctx.frames, n)
        return n

    def raise_static(self, ctx: Ctx, error_type: str, loc: ir.Loc) -> str:
        """The state a statically known error type goes to: a handler, a finally, the branch's (map
        item's) error when none of its own frames takes it, or Fail."""
        for frame in reversed(ctx.frames):  # a branch's frames are its own (they start empty)
            if isinstance(frame, FinallyFrame):
                return frame.error_entry
            for h, entry in frame.handlers:
                if h.catch_all or error_type in h.matches:
                    return entry
        return ctx.branch_error if ctx.branch_error is not None else self.fail_dynamic()

    # ------------------------------------------------------------------------------- expression errors
    @staticmethod
    def guarded(ctx: Ctx) -> bool:
        """Whether an expression error at ``ctx`` must go where a raise would go (a handler, a finally, a
        parallel branch's error) rather than simply fail the run (the top guard does that)."""
        return bool(ctx.frames) or ctx.branch_error is not None

    def temp_var(self, ctx: Ctx, name: str) -> str:
        """A compiler variable of ``ctx``'s scope (a parallel branch has its own names)."""
        return own_variable(ctx.var_prefix, name)

    def pure_pass(
        self, n: str, ctx: Ctx, loc: ir.Loc, assign: dict[str, Any], nxt: str, may_raise: bool
    ) -> None:
        """A Pass state ``n`` assigning ``assign``, whose expressions may raise Python exceptions.

        Pass and Choice states cannot Catch: where the exception must be routed (:meth:`guarded`), the
        expressions are evaluated in the single branch of a Parallel state that can (:meth:`guard`), which
        then assigns the values."""
        if may_raise and self.guarded(ctx):
            result = {k: "{% $lookup($states.result[0], " + jstr(k) + ") %}" for k in assign}
            self.guard(n, ctx, loc, dict(assign), {"Assign": result, "Next": nxt})
            return
        self.top_guard |= may_raise
        self.states[n] = (
            {"Type": "Pass", "Assign": assign, "Next": nxt} if assign else {"Type": "Pass", "Next": nxt}
        )

    def pure_choice(
        self, n: str, ctx: Ctx, loc: ir.Loc, cond: str, then: str, default: str, may_raise: bool
    ) -> None:
        """A Choice state ``n`` on ``cond`` (a template) that may raise: see :meth:`pure_pass`; guarded, the
        Parallel evaluates the condition into a variable that the Choice (``n`` + " test") reads."""
        choice: dict[str, Any] = {
            "Type": "Choice",
            "Choices": [{"Condition": cond, "Next": then}],
            "Default": default,
        }
        if may_raise and self.guarded(ctx):
            var = self.temp_var(ctx, "cond")
            test = self.name(f"{n} test")
            choice["Choices"][0]["Condition"] = "{% $" + var + " %}"
            self.states[test] = choice
            self.guard(
                n,
                ctx,
                loc,
                {"c": cond},
                {"Assign": {var: '{% $lookup($states.result[0], "c") %}'}, "Next": test},
            )
            return
        self.top_guard |= may_raise
        self.states[n] = choice

    def guard(self, n: str, ctx: Ctx, loc: ir.Loc, values: dict[str, Any], then: dict[str, Any]) -> None:
        """State ``n``: a Parallel whose one branch evaluates ``values`` (the branch's output, read from
        ``$states.result[0]`` by ``then``: the Parallel's Assign/Output and Next/End); a failure (the state
        fails with States.QueryEvaluationError) goes where a raise would go, as the exception the expression
        raised (:func:`expression_error`)."""
        inner = self.name(f"Evaluate ({n})")
        self.states[n] = {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": inner, "States": {inner: {"Type": "Pass", "Output": values, "End": True}}}
            ],
            **then,
            "Catch": [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Assign": {"pf_err": "{% " + EXPRESSION_ERROR + " %}"},
                    "Next": self.raise_dynamic(ctx, loc),
                }
            ],
        }

    def wrap_in_top_guard(self, states: dict[str, dict[str, Any]], start: str) -> tuple[dict[str, Any], str]:
        """The machine's states run in the one branch of a Parallel state: an expression that raises where no
        handler can catch it fails the state with States.QueryEvaluationError; the Parallel catches that
        and fails the run with the expression's Python exception, as the local engine does."""
        guard = self.name("Run")
        done = self.name("Run result")
        failed = self.name("Run failed")
        top = {
            guard: {
                "Type": "Parallel",
                "Branches": [{"StartAt": start, "States": states}],
                "Output": "{% $states.result[0] %}",
                "Next": done,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Assign": {"pf_err": "{% " + RUN_ERROR + " %}"},
                        "Next": failed,
                    }
                ],
            },
            done: {"Type": "Succeed"},
            failed: {"Type": "Fail", "Error": "{% $pf_err.error %}", "Cause": "{% $pf_err.cause %}"},
        }
        return top, guard

    # ---------------------------------------------------------------------------------------- top level
    def compile(self) -> dict[str, Any]:
        wf = self.p.workflows[self.p.entry]
        ctx = Ctx(rename={}, var_prefix="", prefix_expr='""', seq_var="pf_seq")
        succeed = self.name("Return None")
        self.states[succeed] = {"Type": "Succeed", "Output": "{% null %}"}
        body_entry = self.block(wf.body, succeed, ctx)
        start = self.name("Start")
        check = self.name("Check input")
        bad = self.name("Invalid input")
        names = [p.name for p in wf.params]
        required = [p.name for p in wf.params if p.default is None]
        assign: dict[str, Any] = {
            "pf_run": "{% $states.context.Execution.Name %}",
            "pf_seq": 0,
            "pf_in": '{% $type($states.input) = "object" ? $states.input : {} %}',
        }
        self.states[start] = {"Type": "Pass", "Assign": assign, "Next": check}
        unknown = f"$filter([$keys($pf_in)], function($k){{$not($k in {json.dumps(names)})}})"
        missing = f"$filter({json.dumps(required)}, function($k){{$not($k in [$keys($pf_in)])}})"
        params_assign: dict[str, Any] = {}
        for p in wf.params:
            if p.default is None:
                params_assign[self.var(ctx, p.name)] = "{% $lookup($pf_in, " + jstr(p.name) + ") %}"
            else:
                low = self.low(ctx)
                d = low.lower(p.default)
                params_assign[self.var(ctx, p.name)] = (
                    "{% "
                    + low.finish(f"{jstr(p.name)} in [$keys($pf_in)] ? $lookup($pf_in, {jstr(p.name)}) : {d}")
                    + " %}"
                )
        init = self.name("Bind parameters")
        self.states[init] = {"Type": "Pass", "Assign": params_assign or {"pf_seq": 0}, "Next": body_entry}
        self.states[check] = {
            "Type": "Choice",
            "Choices": [
                {"Condition": f"{{% $count({unknown}) > 0 or $count({missing}) > 0 %}}", "Next": bad}
            ],
            "Default": init,
        }
        self.states[bad] = {
            "Type": "Fail",
            "Error": INPUT_ERROR,
            "Cause": (
                '{% $string({"errorType": "'
                + INPUT_ERROR
                + '", "errorMessage": "workflow '
                + wf.name
                + ': unknown input key(s) " & $string('
                + unknown
                + ') & ", missing " & '
                "$string(" + missing + ")}) %}"
            ),
        }
        order = [start, check, init, bad] + [n for n in self.states if n not in (start, check, init, bad)]
        states = prune({n: self.states[n] for n in order}, start)
        if self.top_guard:
            states, start = self.wrap_in_top_guard(states, start)
        self.check_limits(wf.body, in_loop=False)
        definition: dict[str, Any] = {
            # the file name only: a definition must not depend on the folder it was compiled in
            "Comment": f"portaflow workflow {wf.name} ({Path(self.p.source).name})",
            "QueryLanguage": "JSONata",
            "StartAt": start,
            "States": states,
        }
        if wf.timeout is not None:  # @workflow(timeout=...): the execution ends TIMED_OUT past it
            definition["TimeoutSeconds"] = self.whole_seconds(wf.timeout, wf.loc, "the workflow's timeout")
        return definition

    # ------------------------------------------------------------------------------------------ blocks
    def block(self, body: tuple[ir.Stmt, ...], nxt: str, ctx: Ctx) -> str:
        entry = nxt
        for s in reversed(body):
            entry = self.stmt(s, entry, ctx)
        return entry

    def stmt(self, s: ir.Stmt, nxt: str, ctx: Ctx) -> str:
        if isinstance(s, ir.Assign):
            n = self.name(f"Assign {_target_label(s.target)}", s.loc)
            assign: dict[str, Any] = {}
            if (
                isinstance(s.target, ir.TupleTarget)
                and isinstance(s.value, ir.ListExpr)
                and len(s.value.items) == len(s.target.elts)
            ):
                raises = False
                for t, v in zip(s.target.elts, s.value.items, strict=True):
                    low = self.low(ctx)
                    assign.update(self.assign_target(ctx, t, low.lower(v), low))
                    raises = raises or ir.may_raise(v) or ir.target_may_raise(t)
            else:
                low = self.low(ctx)
                assign = self.assign_target(ctx, s.target, low.lower(s.value), low)
                raises = ir.may_raise(s.value) or ir.target_may_raise(s.target)
            self.pure_pass(n, ctx, s.loc, assign, nxt, raises)
            return n
        if isinstance(s, ir.SetItem):
            n = self.name(f"Set {s.target}[...]", s.loc)
            low = self.low(ctx)
            e = f"{low.h('pf_setitem')}({low.ref(s.target)}, {low.lower(s.index)}, {low.lower(s.value)})"
            assign = {self.var(ctx, s.target): "{% " + low.finish(e) + " %}"}
            self.pure_pass(n, ctx, s.loc, assign, nxt, True)  # a bad index or key type raises
            return n
        if isinstance(s, ir.StepCall):
            return self.step_call(s, nxt, ctx)
        if isinstance(s, ir.ChildWorkflowCall):
            return self.child_call(s, nxt, ctx)
        if isinstance(s, ir.StartWorkflow):
            return childruns.start_workflow(self, s, nxt, ctx)
        if isinstance(s, ir.AwaitWorkflow):
            return childruns.await_workflow(self, s, nxt, ctx)
        if isinstance(s, ir.MapCall):
            return self.map_call(s, nxt, ctx)
        if isinstance(s, ir.ParallelCall):
            return self.parallel_call(s, nxt, ctx)
        if isinstance(s, ir.Sleep):
            n = self.name("Sleep", s.loc)
            st: dict[str, Any] = {"Type": "Wait", "Next": nxt}
            if isinstance(s.seconds, ir.Const):
                secs = float(s.seconds.value)
                if secs != int(secs):
                    self.err(
                        s.loc,
                        f"sleep of {secs:g}s: Step Functions waits whole seconds",
                        "sleep a whole number of seconds",
                    )
                st["Seconds"] = int(secs)
            else:
                low = self.low(ctx)
                secs_expr = low.lower(s.seconds)
                if s.seconds.ty == "timedelta":
                    secs_expr = timedeltas.seconds(low, s.seconds)
                elif s.seconds.ty not in ("int", "float"):
                    secs_expr = f"{low.h('pf_duration')}({secs_expr})"
                st["Seconds"] = "{% " + low.finish(f"($s := $ceil({secs_expr}); $s < 0 ? 0 : $s)") + " %}"
                self.states[n] = st
                return self.sleep_check(s, n, ctx)
            self.states[n] = st
            return n
        if isinstance(s, ir.WaitForEvent):
            return self.wait_for_event(s, nxt, ctx)
        if isinstance(s, ir.Log):
            return self.log_state(s, nxt, ctx)
        if isinstance(s, ir.Primitive):
            n = self.name(f"ctx.{s.op}", s.loc)
            value = {
                "now": "$now()",
                "uuid4": "$uuid()",
                "random": "$random()",
                "idempotency_key": self.key_expr(ctx),
            }[s.op]
            self.states[n] = {"Type": "Pass", "Assign": self.assign_target(ctx, s.target, value), "Next": nxt}
            if not self.states[n]["Assign"]:
                del self.states[n]["Assign"]
            return n
        if isinstance(s, ir.If):
            n = self.name("If", s.loc)
            body = self.block(s.body, nxt, ctx)
            orelse = self.block(s.orelse, nxt, ctx)
            low = self.low(ctx)
            cond = "{% " + low.finish(low.truthy(s.test)) + " %}"
            self.pure_choice(n, ctx, s.loc, cond, body, orelse, ir.may_raise(s.test))
            return n
        if isinstance(s, ir.While):
            head = self.name("While", s.loc)
            inner = replace(ctx, loop=(nxt, head, len(ctx.frames)))
            first = len(self.states)
            body = self.block(s.body, head, inner)
            self.loop_states[id(s)] = [*list(self.states)[first:], head]
            low = self.low(ctx)
            cond = "{% " + low.finish(low.truthy(s.test)) + " %}"
            self.pure_choice(head, ctx, s.loc, cond, body, nxt, ir.may_raise(s.test))
            return head
        if isinstance(s, ir.For):
            k = self.uid()
            it, idx = f"pf_it{k}", f"pf_i{k}"
            init = self.name("For", s.loc)
            head = self.name("For next", s.loc)
            bind = self.name(f"For bind {_target_label(s.target)}", s.loc)
            inner = replace(ctx, loop=(nxt, head, len(ctx.frames)))
            first = len(self.states)
            body = self.block(s.body, head, inner)
            self.loop_states[id(s)] = [*list(self.states)[first:], head, bind]
            low = self.low(ctx)
            items = low.finish(low._iter(s.iter))
            iter_raises = ir.may_raise(s.iter) or s.iter.ty not in ("list", "str", "dict")
            self.pure_pass(init, ctx, s.loc, {it: "{% " + items + " %}", idx: 0}, head, iter_raises)
            self.states[head] = {
                "Type": "Choice",
                "Choices": [{"Condition": f"{{% ${idx} < $count(${it}) %}}", "Next": bind}],
                "Default": nxt,
            }
            assign = self.assign_target(ctx, s.target, f"${it}[${idx}]")
            assign[idx] = f"{{% ${idx} + 1 %}}"
            self.pure_pass(bind, ctx, s.loc, assign, body, ir.target_may_raise(s.target))
            return init
        if isinstance(s, (ir.Break, ir.Continue)):
            assert ctx.loop is not None
            brk, cont, depth = ctx.loop
            target = brk if isinstance(s, ir.Break) else cont
            return self.through_finally(ctx, depth, target)
        if isinstance(s, ir.Return):
            if ctx.ret is not None:
                var, cont = ctx.ret
                n = self.name("Return", s.loc)
                low = self.low(ctx)
                after = self.through_finally(ctx, ctx.fn_frames, cont)
                ret = {var: "{% " + low.finish(low.lower(s.value)) + " %}"}
                self.pure_pass(n, ctx, s.loc, ret, after, ir.may_raise(s.value))
                return n
            low = self.low(ctx)
            out = "{% " + low.finish(low.lower(s.value)) + " %}"
            has_finally = any(isinstance(f, FinallyFrame) for f in ctx.frames)
            raises = ir.may_raise(s.value)
            if not has_finally and not (raises and self.guarded(ctx)):
                n = self.name("Return", s.loc)
                self.states[n] = {"Type": "Succeed", "Output": out}
                self.top_guard |= raises
                return n
            # the value is computed first: finally bodies run after it, a handler catches its exception
            n = self.name("Return value", s.loc)
            done = self.name("Return", s.loc)
            self.states[done] = {"Type": "Succeed", "Output": "{% $pf_retval %}"}
            after = self.through_finally(ctx, 0, done)
            self.pure_pass(n, ctx, s.loc, {"pf_retval": out}, after, raises)
            return n
        if isinstance(s, ir.Raise):
            if s.error_type is None:
                target = self.raise_dynamic(ctx, s.loc)
                if s.error_var is None:
                    return target
                n = self.name(f"Raise {s.error_var}", s.loc)
                self.states[n] = {
                    "Type": "Pass",
                    "Assign": {"pf_err": "{% $" + self.var(ctx, s.error_var) + " %}"},
                    "Next": target,
                }
                return n
            n = self.name(f"Raise {s.error_type}", s.loc)
            low = self.low(ctx)
            msg = low.lower(s.message) if s.message is not None else '""'
            err = (
                "{% "
                + low.finish(
                    f'{{"type": {jstr(s.error_type)}, "message": {msg}, "step": null, "attempts": null}}'
                )
                + " %}"
            )
            raises = s.message is not None and ir.may_raise(s.message)
            self.pure_pass(
                n, ctx, s.loc, {"pf_err": err}, self.raise_static(ctx, s.error_type, s.loc), raises
            )
            return n
        if isinstance(s, ir.Try):
            return self.try_stmt(s, nxt, ctx)
        raise AssertionError(f"unhandled statement {s!r}")

    def log_state(self, s: ir.Log, nxt: str, ctx: Ctx) -> str:
        """``ctx.log``: a Pass state whose output is the line (its ``PassStateExited`` event in the
        execution's history). A state runs once (an execution never replays); it takes no call number."""
        n = self.name("Log", s.loc)
        low = self.low(ctx)
        low.helpers = set()
        message, fields = low.lower(s.message), low.lower(s.fields)
        position = f"{ctx.prefix_expr} & $string(${ctx.seq_var})"
        # one block: the message is evaluated before the fields, as Python evaluates the arguments
        body = (
            f'($pf_logm := {message}; {{"portaflow_log": $pf_logm, "fields": {fields}, '
            f'"run_id": $pf_run, "position": {position}}})'
        )
        line = "{% " + low.finish(body) + " %}"
        may_raise = ir.may_raise(s.message) or ir.may_raise(s.fields)
        if may_raise and self.guarded(ctx):  # evaluated where a raise reaches the workflow's handlers
            self.guard(n, ctx, s.loc, {"line": line}, {"Output": "{% $states.result[0].line %}", "Next": nxt})
            return n
        self.top_guard |= may_raise
        self.states[n] = {"Type": "Pass", "Output": line, "Next": nxt}
        return n

    def sleep_check(self, s: ir.Sleep, wait: str, ctx: Ctx) -> str:
        """A Choice before the Wait of a duration computed at run time: a duration the local engine refuses
        (negative, not a duration) raises its ValueError, with its message, where a raise would go."""
        check = self.name("Check sleep", s.loc)
        bad = self.name("Bad sleep", s.loc)
        negative = "ctx.sleep duration must be a finite, non-negative duration, not "
        low = self.low(ctx)
        if s.seconds.ty in ("int", "float", "timedelta"):
            cond = "{% " + low.finish(f"{low.lower(s.seconds)} < 0") + " %}"
        else:
            cond = (
                "{% "
                + low.finish(f'$type({low.h("pf_sleep_error")}({low.lower(s.seconds)})) = "string"')
                + " %}"
            )
        # the duration is evaluated here first: an exception of its expression is raised here (and the
        # Wait's evaluation of it, after this check, cannot fail)
        self.pure_choice(check, ctx, s.loc, cond, bad, wait, ir.may_raise(s.seconds))
        low = self.low(ctx)
        if s.seconds.ty == "timedelta":
            message = timedeltas.negative_message(low, s.seconds, "ctx.sleep duration")
        elif s.seconds.ty in ("int", "float"):
            message = f"{jstr(negative)} & {low.str_of(s.seconds)}"
        else:
            message = f"{low.h('pf_sleep_error')}({low.lower(s.seconds)})"
        err = f'{{"type": "ValueError", "message": {message}, "step": null, "attempts": null}}'
        self.states[bad] = {
            "Type": "Pass",
            "Assign": {"pf_err": "{% " + low.finish(err) + " %}"},
            "Next": self.raise_dynamic(ctx, s.loc),
        }
        return check

    def through_finally(self, ctx: Ctx, depth: int, target: str) -> str:
        """Run the finally bodies of frames[depth:] (inner first) before going to ``target``."""
        entry = target
        crossed = [f for f in ctx.frames[depth:] if isinstance(f, FinallyFrame)]
        # outermost finally runs last: build from outer to inner
        for f in crossed:
            idx = ctx.frames.index(f)
            outer_ctx = replace(
                ctx, frames=ctx.frames[:idx], loop=None if ctx.loop and ctx.loop[2] > idx else ctx.loop
            )
            entry = self.block(f.body, entry, outer_ctx)
        return entry

    # ---------------------------------------------------------------------------------------- calls
    def task_retry(self, sd: ir.StepDef) -> list[dict[str, Any]]:
        r = sd.retry
        where = sd.source or self.p.source
        interval = self.whole_seconds(
            r.initial_interval,
            sd.option_loc("initial_interval", "retry"),
            f"step {sd.name!r} retry initial_interval",
            where,
        )
        max_delay = self.whole_seconds(
            r.max_interval,
            sd.option_loc("max_interval", "initial_interval", "retry"),
            f"step {sd.name!r} retry max_interval",
            where,
        )
        # an expression of the Task that fails (arguments, result binding) fails the same way again: never
        # retried (a retry would call the step again), it is caught as the workflow's exception
        retriers: list[dict[str, Any]] = [
            {
                "ErrorEquals": ["States.QueryEvaluationError"],
                "IntervalSeconds": interval,
                "MaxAttempts": 0,
                "BackoffRate": float(r.backoff),
                "MaxDelaySeconds": max_delay,
                "JitterStrategy": "NONE",
            }
        ]
        if jittered(sd):  # retried by the explicit loop of jittered_attempts, not by Retry
            return retriers
        if r.retry_on_matches:  # only these are retried; every other error fails the step at once
            names = list(r.retry_on_matches)
            if "TimeoutError" in names:
                names.append("States.Timeout")
            retriers.append(
                {
                    "ErrorEquals": names,
                    "IntervalSeconds": interval,
                    "MaxAttempts": r.max_attempts - 1,
                    "BackoffRate": float(r.backoff),
                    "MaxDelaySeconds": max_delay,
                    "JitterStrategy": "NONE",
                }
            )
            return retriers
        if r.non_retryable_matches:
            names = list(r.non_retryable_matches)
            if "TimeoutError" in names:
                names.append("States.Timeout")
            retriers.append(
                {
                    "ErrorEquals": names,
                    "IntervalSeconds": interval,
                    "MaxAttempts": 0,
                    "BackoffRate": float(r.backoff),
                    "MaxDelaySeconds": max_delay,
                    "JitterStrategy": "NONE",
                }
            )
        retriers.append(
            {
                "ErrorEquals": ["States.ALL"],
                "IntervalSeconds": interval,
                "MaxAttempts": r.max_attempts - 1,
                "BackoffRate": float(r.backoff),
                "MaxDelaySeconds": max_delay,
                "JitterStrategy": "NONE",
            }
        )
        return retriers

    def payload(
        self,
        ctx: Ctx,
        sd: ir.StepDef,
        args: str,
        key: str,
        item: str = "$states.context.Map.Item.Index",
        attempt: str = "$states.context.State.RetryCount + 1",
    ) -> str:
        # the names the non-retryable retrier lists: the runtime reports an error under the first class of
        # its MRO found there (runtime.StepError), so that retrier matches subclasses from any module
        listed = sd.retry.non_retryable_matches or sd.retry.retry_on_matches  # at most one of them is set
        non_retryable = f'"non_retryable": {json.dumps(list(listed))}, ' if listed else ""
        return (
            "{% " + f'{{"step": {jstr(sd.name)}, "args": {args}, "idempotency_key": {key}, '
            f'"attempt": {attempt}, "run_id": $pf_run, {non_retryable}'
            f'"meta": {{"state": $states.context.State.Name, "item": {item}}}}}' + " %}"
        )

    def step_task(self, key: str, payload: str) -> dict[str, Any]:
        sd = self.p.steps[key]
        task: dict[str, Any] = {
            "Type": "Task",
            "Resource": STEP_ARN,
            "Arguments": {"FunctionName": step_function_ref(self.idents[key]), "Payload": payload},
            "Retry": self.task_retry(sd),
        }
        if sd.timeout_seconds is not None:
            task["TimeoutSeconds"] = self.whole_seconds(
                sd.timeout_seconds,
                sd.option_loc("timeout"),
                f"step {sd.name!r} timeout",
                sd.source or self.p.source,
            )
        return task

    def step_call(self, s: ir.StepCall, nxt: str, ctx: Ctx) -> str:
        sd = self.p.steps[s.step]
        n = self.name(f"Step {sd.name}", s.loc)
        low = self.low(ctx)
        args = "{" + ", ".join(f"{jstr(k)}: {low.lower(v)}" for k, v in s.args) + "}"
        if s.kwargs is not None:
            args = f"$merge([{args}, {low.lower(s.kwargs)}])"
        scope = f"pf_j{self.uid()}_" if jittered(sd) else None
        attempt = {} if scope is None else {"attempt": "$" + own_variable(scope, "attempt")}
        payload = self.payload(ctx, sd, args, self.key_expr(ctx), **attempt)
        payload = "{% " + low.finish(payload[3:-3]) + " %}"
        task = self.step_task(s.step, payload)
        inc = {ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"}
        task["Assign"] = {**self.assign_target(ctx, s.target, '$lookup($states.result, "Payload")'), **inc}
        entry = n
        if scope is None:
            task["Catch"] = self.catchers(ctx, inc, s.loc, error_from_output(timeout_message(sd), sd.name))
        else:  # the give-up step counts as the call, as the Catch of a Retry's Task does
            give_up = self.name(f"Step failed {sd.name}", s.loc)
            self.states[give_up] = {"Type": "Pass", "Assign": inc, "Next": self.raise_dynamic(ctx, s.loc)}
            entry = self.jittered_attempts(sd, n, task, self.key_expr(ctx), scope, "$pf_err", give_up, s.loc)
        task["Next"] = nxt
        self.states[n] = task
        return entry

    def jittered_attempts(
        self,
        sd: ir.StepDef,
        task_n: str,
        task: dict[str, Any],
        key: str,
        scope: str,
        err: str,
        give_up: str,
        loc: ir.Loc,
        first: dict[str, str] | None = None,
    ) -> str:
        """A step with ``RetryPolicy(jitter=...)``: its attempts as an explicit loop, since a Task's Retry
        takes no delay per attempt. The Task's Catch keeps the error in ``err`` (``$pf_err``, or a Map
        item's variable) and a Choice retries a retryable one while attempts remain: the events function
        computes the delay (``portaflow.dsl.retry.jittered``, the local engine's), sleeps its fraction of a
        second and returns the whole seconds a Wait takes; else ``give_up``. ``scope`` names the loop's
        variables (the attempt, the delay). Returns the entry state."""
        r = sd.retry
        attempt, seconds = own_variable(scope, "attempt"), own_variable(scope, "seconds")
        entry = self.name(f"Attempts {sd.name}", loc)
        check = self.name(f"Retry? {sd.name}", loc)
        delay = self.name(f"Retry delay {sd.name}", loc)
        wait = self.name(f"{RETRY_WAIT} {sd.name}", loc)
        again = self.name(f"Next attempt {sd.name}", loc)
        var = err.removeprefix("$")
        task["Catch"] = [
            {
                "ErrorEquals": ["States.ALL"],
                "Assign": {
                    var: "{% " + error_from_output(timeout_message(sd), sd.name, f"${attempt}") + " %}"
                },
                "Next": check,
            }
        ]
        listed = json.dumps(list(r.retry_on_matches or r.non_retryable_matches))
        matches = (
            f"({err}.type in {listed} or "
            f'$count($filter($lookup({err}, "mro"), function($n){{$n in {listed}}})) > 0)'
        )
        retryable = matches if r.retry_on_matches else f"$not{matches}" if r.non_retryable_matches else "true"
        step_error = f'$type($lookup({err}, "step")) = "string"'  # not an expression of the Task itself
        self.states[entry] = {"Type": "Pass", "Assign": {**(first or {}), attempt: 1}, "Next": task_n}
        self.states[check] = {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% "
                    + f"${attempt} < {r.max_attempts} and {step_error} and {retryable}"
                    + " %}",
                    "Next": delay,
                }
            ],
            "Default": give_up,
        }
        base = f"$min([{r.initial_interval} * $power({float(r.backoff)}, ${attempt} - 1), {r.max_interval}])"
        request = (
            '{"action": "jitter", "key": ' + key + f', "attempt": ${attempt}, "delay": {base}, '
            f'"jitter": {r.jitter}}}'
        )
        self.states[delay] = {
            "Type": "Task",
            "Resource": STEP_ARN,
            "Arguments": {"FunctionName": EVENTS_FUNCTION, "Payload": "{% " + request + " %}"},
            "Assign": {seconds: "{% $states.result.Payload %}"},
            "Output": "{% $states.input %}",
            "Next": wait,
        }
        self.states[wait] = {"Type": "Wait", "Seconds": "{% " + f"${seconds}" + " %}", "Next": again}
        self.states[again] = {
            "Type": "Pass",
            "Assign": {attempt: "{% " + f"${attempt} + 1" + " %}"},
            "Next": task_n,
        }
        return entry

    def jittered_item(
        self, ctx: Ctx, key: str, param: str, task_n: str, err_n: str, loc: ir.Loc
    ) -> tuple[str, dict[str, Any]]:
        """A Map item's states for a step with jitter (its first state, the states): the retry loop's states
        pass other inputs on, so the item, its index and key are kept in variables first."""
        sd = self.p.steps[key]
        scope = f"pf_j{self.uid()}_"
        item_var, index_var, key_var, err_var = (
            own_variable(scope, w) for w in ("item", "index", "key", "error")
        )
        attempt = "$" + own_variable(scope, "attempt")
        payload = self.payload(
            ctx, sd, f"{{{jstr(param)}: ${item_var}}}", f"${key_var}", f"${index_var}", attempt
        )
        task = self.step_task(key, payload)
        task["Output"] = '{% {"v": $lookup($states.result, "Payload")} %}'
        task["End"] = True
        item_states: dict[str, Any] = {
            err_n: {"Type": "Pass", "Output": "{% " + f'{{"e": ${err_var}}}' + " %}", "End": True}
        }
        outer_states, self.states = self.states, item_states
        first = {
            item_var: "{% $states.input.item %}",
            index_var: "{% $states.input.index %}",
            key_var: "{% $states.input.key %}",
        }
        start = self.jittered_attempts(
            sd, task_n, task, f"${key_var}", scope, f"${err_var}", err_n, loc, first
        )
        self.states = outer_states
        item_states[task_n] = task
        return start, item_states

    def child_call(self, s: ir.ChildWorkflowCall, nxt: str, ctx: Ctx) -> str:
        child = self.p.workflows[s.workflow]
        k = self.uid()
        cp = f"pf_c{k}_"
        entry = self.name(f"Call {child.name}", s.loc)
        ret_var = own_variable(cp, "result")
        cont = self.name(f"Return from {child.name}", s.loc)
        self.states[cont] = {"Type": "Pass", "Next": nxt}
        assign_ret = self.assign_target(ctx, s.target, f"${ret_var}")
        if assign_ret:
            self.states[cont]["Assign"] = assign_ret
        fall = self.name(f"End of {child.name}", s.loc)
        self.states[fall] = {"Type": "Pass", "Assign": {ret_var: None}, "Next": cont}
        prefix_var = own_variable(cp, "prefix")
        cctx = Ctx(
            rename={},
            var_prefix=cp,
            prefix_expr=f"${prefix_var}",
            seq_var=own_variable(cp, "seq"),
            frames=ctx.frames,
            fn_frames=len(ctx.frames),
            loop=None,
            ret=(ret_var, cont),
            branch_error=ctx.branch_error,
        )
        outer_source, self.source = self.source, child.source or self.source
        body = self.block(child.body, fall, cctx)
        self.source = outer_source
        low = self.low(ctx)
        given = dict(s.args)
        assign: dict[str, Any] = {
            prefix_var: "{% " + f'{ctx.prefix_expr} & $string(${ctx.seq_var}) & "."' + " %}",
            own_variable(cp, "seq"): 0,
            ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}",
        }
        raises = False
        for p in child.params:
            value = given.get(p.name, p.default)
            assert value is not None
            low = self.low(ctx)
            assign[cp + p.name] = "{% " + low.finish(low.lower(value)) + " %}"
            raises = raises or ir.may_raise(value)
        self.pure_pass(entry, ctx, s.loc, assign, body, raises)
        return entry

    def after_fanout(self, s: ir.MapCall | ir.ParallelCall, results_var: str, nxt: str, ctx: Ctx) -> str:
        """Check {"v"}/{"e"} results: raise the lowest-index error, else assign the values."""
        if partial.uses_failures(s):  # a statement: PFC075 refuses outcomes kept (backends/partial.py)
            return self.tolerance_check(s, results_var, nxt, ctx)
        check = self.name("Check results", s.loc)
        ok = self.name("Results", s.loc)
        fail = self.name("Raise first error", s.loc)
        values = (
            f'$reduce(${results_var}, function($a, $r){{$append($a, $type($lookup($r, "v")) = "array" '
            f'? [[$lookup($r, "v")]] : [$lookup($r, "v")])}}, [])'
        )
        assign = self.assign_target(ctx, s.target, values)
        self.pure_pass(ok, ctx, s.loc, assign, nxt, ir.target_may_raise(s.target))
        first_err = (
            f'$reduce(${results_var}, function($a, $r){{$a ? $a : ($exists($lookup($r, "e")) ? '
            f'$lookup($r, "e") : $a)}}, null)'
        )
        self.states[fail] = {
            "Type": "Pass",
            "Assign": {"pf_err": "{% " + first_err + " %}"},
            "Next": self.raise_dynamic(ctx, s.loc),
        }
        self.states[check] = {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $count($filter($"
                    + results_var
                    + ', function($r){$exists($lookup($r, "e"))})) > 0 %}',
                    "Next": fail,
                }
            ],
            "Default": ok,
        }
        return check

    def tolerance_check(self, s: ir.MapCall | ir.ParallelCall, results_var: str, nxt: str, ctx: Ctx) -> str:
        """A tolerated fan-out whose outcomes are not kept (docs/ir.md, "Partial failure"): each item's
        Catch made its error the item's ``{"e": ...}``; a Choice counts them and, beyond the tolerance
        (``failed > N``, ``failed * 100 > P * total``, as ``Tolerance.exceeded``), raises TooManyFailures
        with the local engine's message. ``return_exceptions`` alone never raises."""
        pol = partial.policy(s)
        if not pol.bounded:
            return nxt
        check = self.name("Count failures", s.loc)
        fail = self.name("Too many failures", s.loc)
        rs = "$" + results_var
        failed = f'$count($filter({rs}, function($r){{$exists($lookup($r, "e"))}}))'
        over = [] if pol.count is None else [f"{failed} > {pol.count}"]
        if pol.percentage is not None:
            over.append(f"{failed} * 100 > {pol.percentage!r} * $count({rs})")
        head = " " + partial.plural(s) + " failed (tolerated: "
        tail = pol.describe() + "); first: " + partial.noun(s) + " "
        first = (
            f'($i := $filter($map({rs}, function($r, $j){{$exists($lookup($r, "e")) ? $j : -1}}), '
            f'function($j){{$j >= 0}})[0]; $e := $lookup({rs}[$i], "e"); '
            f'{{"type": "TooManyFailures", "message": $string({failed}) & " of " & $string($count({rs})) & '
            f'{jstr(head)} & {jstr(tail)} & $string($i) & ": " & $e.type & ": " & $e.message, '
            '"step": null, "attempts": null})'
        )
        self.states[fail] = {
            "Type": "Pass",
            "Assign": {"pf_err": "{% " + first + " %}"},
            "Next": self.raise_static(ctx, "TooManyFailures", s.loc),
        }
        self.states[check] = {
            "Type": "Choice",
            "Choices": [{"Condition": "{% " + " or ".join(over) + " %}", "Next": fail}],
            "Default": nxt,
        }
        return check

    def map_call(self, s: ir.MapCall, nxt: str, ctx: Ctx) -> str:
        if s.step is None:
            return self.map_workflow(s, nxt, ctx)
        sd = self.p.steps[s.step]
        k = self.uid()
        n = self.name(f"Map {sd.name}", s.loc)
        task_n = self.name(f"Step {sd.name} (item)", s.loc)
        err_n = self.name(f"Item failed {sd.name}", s.loc)
        param = sd.params[0] if sd.params else "item"
        if not jittered(sd):
            payload = self.payload(
                ctx, sd, f"{{{jstr(param)}: $states.input.item}}", "$states.input.key", "$states.input.index"
            )
            task = self.step_task(s.step, payload)
            task["Output"] = '{% {"v": $lookup($states.result, "Payload")} %}'
            task["Catch"] = [
                {
                    "ErrorEquals": ["States.ALL"],
                    "Output": '{% {"e": ' + error_from_output(timeout_message(sd), sd.name) + "} %}",
                    "Next": err_n,
                }
            ]
            task["End"] = True
            start, item_states = task_n, {task_n: task, err_n: {"Type": "Pass", "End": True}}
        else:
            start, item_states = self.jittered_item(ctx, s.step, param, task_n, err_n, s.loc)
        results = f"pf_m{k}"
        low = self.low(ctx)
        items = low.finish(low._iter(s.items))
        self.states[n] = {
            "Type": "Map",
            "Items": "{% " + items + " %}",
            "ItemSelector": {
                "item": "{% $states.context.Map.Item.Value %}",
                "index": "{% $states.context.Map.Item.Index %}",
                "key": "{% " + f'$pf_run & ":" & {ctx.prefix_expr} & $string(${ctx.seq_var}) & "." & '
                f"$string($states.context.Map.Item.Index)" + " %}",
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": start,
                "States": item_states,
            },
            "MaxConcurrency": self.max_concurrency(ctx, s.max_concurrency),
            "Assign": {results: "{% $states.result %}", ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"},
            "Next": self.after_fanout(s, results, nxt, ctx),
        }
        self.states[n]["Catch"] = self.catchers(ctx, {ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"}, s.loc)
        return n

    def map_workflow(self, s: ir.MapCall, nxt: str, ctx: Ctx) -> str:
        """``ctx.map(child, items)``: an inline Map whose ItemProcessor holds the child workflow's states,
        its first parameter bound to the item and its calls numbered under ``n.i.``; each item outputs
        ``{"v": result}`` or ``{"e": error}`` as a parallel branch does."""
        child = self.p.workflows[str(s.workflow)]
        k = self.uid()
        n = self.name(f"Map {child.name}", s.loc)
        cp = f"pf_w{k}_"
        outer, self.states = self.states, {}
        err_n = self.name(f"Item failed {child.name}", s.loc)
        self.states[err_n] = {"Type": "Pass", "Output": '{% {"e": $pf_err} %}', "End": True}
        ret_var = own_variable(cp, "result")
        done = self.name(f"Item result {child.name}", s.loc)
        self.states[done] = {"Type": "Pass", "Output": "{% " + f'{{"v": ${ret_var}}}' + " %}", "End": True}
        fall = self.name(f"End of {child.name} (item)", s.loc)
        self.states[fall] = {"Type": "Pass", "Assign": {ret_var: None}, "Next": done}
        prefix_var = own_variable(cp, "prefix")
        cctx = Ctx(
            rename={},
            var_prefix=cp,
            prefix_expr=f"${prefix_var}",
            seq_var=own_variable(cp, "seq"),
            ret=(ret_var, done),
            branch_error=err_n,
        )
        outer_source, self.source = self.source, child.source or self.source
        body = self.block(child.body, fall, cctx)
        self.source = outer_source
        init = self.name(f"Item {child.name}", s.loc)
        assign: dict[str, Any] = {prefix_var: "{% $states.input.prefix %}", own_variable(cp, "seq"): 0}
        for i, p in enumerate(child.params):
            if i == 0:
                assign[cp + p.name] = "{% $states.input.item %}"
                continue
            assert p.default is not None
            low = self.low(cctx)
            assign[cp + p.name] = "{% " + low.finish(low.lower(p.default)) + " %}"
        self.states[init] = {"Type": "Pass", "Assign": assign, "Next": body}
        order = [init] + [x for x in self.states if x != init]
        states = prune({x: self.states[x] for x in order}, init)
        self.states = outer
        results = f"pf_m{k}"
        low = self.low(ctx)
        items = low.finish(low._iter(s.items))
        self.states[n] = {
            "Type": "Map",
            "Items": "{% " + items + " %}",
            "ItemSelector": {
                "item": "{% $states.context.Map.Item.Value %}",
                "prefix": "{% "
                + f'{ctx.prefix_expr} & $string(${ctx.seq_var}) & "." & '
                + '$string($states.context.Map.Item.Index) & "."'
                + " %}",
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": init,
                "States": _rename_error_var(states, own_variable(cp, "err")),
            },
            "MaxConcurrency": self.max_concurrency(ctx, s.max_concurrency),
            "Assign": {results: "{% $states.result %}", ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"},
            "Next": self.after_fanout(s, results, nxt, ctx),
        }
        self.states[n]["Catch"] = self.catchers(ctx, {ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"}, s.loc)
        return n

    def parallel_call(self, s: ir.ParallelCall, nxt: str, ctx: Ctx) -> str:
        if s.max_concurrency is not None:
            self.err(
                s.loc,
                "ctx.parallel(..., max_concurrency=...): a Step Functions Parallel state runs every branch "
                "at once (it has no MaxConcurrency), so the limit would be ignored",
                "drop max_concurrency, or run the work as ctx.map(step, items, max_concurrency=N)",
            )
        k = self.uid()
        n = self.name("Parallel", s.loc)
        branches: list[dict[str, Any]] = []
        outer = self.states
        for b, br in enumerate(s.branches):
            self.states = {}
            bp = f"pf_p{k}b{b}_"
            err_n = self.name(f"Branch {b} failed", s.loc)
            self.states[err_n] = {"Type": "Pass", "Output": '{% {"e": $pf_err} %}', "End": True}
            # a `return` in a nested def's body (inside a try, a loop...) ends the branch with its value
            ret_var = own_variable(bp, "result")
            returned = self.name(f"Branch {b} returned", s.loc)
            self.states[returned] = {
                "Type": "Pass",
                "Output": "{% " + f'{{"v": ${ret_var}}}' + " %}",
                "End": True,
            }
            bctx = Ctx(
                rename={},
                var_prefix=bp,
                prefix_expr="$" + own_variable(bp, "prefix"),
                seq_var=own_variable(bp, "seq"),
                frames=(),
                loop=None,
                ret=(ret_var, returned),
                branch_error=err_n,
            )
            # names the branch reads but does not assign are the workflow's (outer scope, read-only)
            assigned = {t for st in ir.walk_stmts(br.body) for t in ir.assigned_names(st)}
            rename = {name: self.var(ctx, name) for name in ir.read_names(br) if name not in assigned}
            bctx = replace(bctx, rename=rename)
            done = self.name(f"Branch {b} result", s.loc)
            low = self.low(bctx)
            value = "{% " + low.finish(low.lower(br.result)) + " %}"
            if ir.may_raise(br.result):  # as the branch's other code: its exception is the branch's error
                self.guard(
                    done, bctx, s.loc, {"v": value}, {"Output": "{% $states.result[0] %}", "End": True}
                )
            else:
                self.states[done] = {"Type": "Pass", "Output": {"v": value}, "End": True}
            entry = self.block(br.body, done, bctx)
            init = self.name(f"Branch {b}", s.loc)
            self.states[init] = {
                "Type": "Pass",
                "Assign": {
                    own_variable(bp, "prefix"): "{% "
                    + f'{ctx.prefix_expr} & $string(${ctx.seq_var}) & ".{b}."'
                    + " %}",
                    own_variable(bp, "seq"): 0,
                },
                "Next": entry,
            }
            order = [init] + [x for x in self.states if x != init]
            states = prune({x: self.states[x] for x in order}, init)
            branches.append({"StartAt": init, "States": _rename_error_var(states, own_variable(bp, "err"))})
        self.states = outer
        results = f"pf_r{k}"
        self.states[n] = {
            "Type": "Parallel",
            "Branches": branches,
            "Assign": {results: "{% $states.result %}", ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"},
            "Next": self.after_fanout(s, results, nxt, ctx),
        }
        self.states[n]["Catch"] = self.catchers(ctx, {ctx.seq_var: f"{{% ${ctx.seq_var} + 1 %}}"}, s.loc)
        return n

    def max_concurrency(self, ctx: Ctx, mc: int | ir.Expr | None) -> int | str:
        if mc is None:
            return 0
        if isinstance(mc, int):
            return mc
        low = self.low(ctx)
        # Python: None means no limit; ASL: 0 means no limit
        return "{% " + low.finish(f"($m := {low.lower(mc)}; $m = null ? 0 : $m)") + " %}"

    def label_value(self, ctx: Ctx, label: str | ir.Expr) -> str:
        """A wait's label in its payload: the literal, or its f-string evaluated (it cannot raise)."""
        if isinstance(label, str):
            return label
        low = self.low(ctx)
        return "{% " + low.finish(low.lower(label)) + " %}"

    def wait_for_event(self, s: ir.WaitForEvent, nxt: str, ctx: Ctx) -> str:
        """A callback Task on the events function. The timeout (``States.Timeout``) gives None, or raises
        EventTimeout where a raise would go; a failure event (SendTaskFailure, runtime.event_failure) is
        caught like a step's error and raised as the workflow's exception. A label names the state."""
        label = f" ({s.label})" if isinstance(s.label, str) else " (computed label)" if s.label else ""
        shown = s.event if isinstance(s.event, str) else "(computed)"
        n = self.name(f"Wait for event {shown}{label}", s.loc)
        event: str = s.event if isinstance(s.event, str) else "{% $" + self.temp_var(ctx, "event") + " %}"
        task: dict[str, Any] = {
            "Type": "Task",
            "Resource": WAIT_ARN,
            "Arguments": {
                "FunctionName": EVENTS_FUNCTION,
                "Payload": {
                    "action": "wait",
                    "run_id": "{% $pf_run %}",
                    "event": event,
                    "token": "{% $states.context.Task.Token %}",
                    **({"label": self.label_value(ctx, s.label)} if s.label else {}),
                },
            },
        }
        if ctx.branch_error is not None:
            # in a fan-out, the wait's scope: of two waits for one name open at once, the event goes to
            # the one at the lowest position (they part at a fan-out's item or branch index)
            task["Arguments"]["Payload"]["position"] = "{% " + ctx.prefix_expr + " %}"
        value = self.assign_target(ctx, s.target, '$lookup($states.result, "payload")')
        if value:
            task["Assign"] = value
        catch: list[dict[str, Any]] = []
        if s.timeout_seconds is not None or s.timeout is not None:
            if s.timeout is not None:  # computed at run time (waits.py)
                task["TimeoutSeconds"] = waits.timeout_seconds(self.low(ctx), s)
            else:
                task["TimeoutSeconds"] = self.whole_seconds(
                    s.timeout_seconds or 0, s.loc, "wait_for_event timeout"
                )
            on_timeout: dict[str, Any] = {"ErrorEquals": ["States.Timeout"], "Next": nxt}
            if s.timeout_error is not None:
                name_repr, rlow = None, self.low(ctx)
                if not isinstance(s.event, str):
                    name_repr = f"{rlow.h('pf_repr')}(${self.temp_var(ctx, 'event')})"
                if s.timeout is not None:  # computed at run time: format_duration of the value given
                    on_timeout["Assign"] = {"pf_err": waits.timeout_error(rlow, s, name_repr)}
                else:
                    error = rlow.finish(event_timeout_error(s, name_repr))
                    on_timeout["Assign"] = {"pf_err": "{% " + error + " %}"}
                on_timeout["Next"] = self.raise_static(ctx, s.timeout_error, s.loc)
            elif s.target is not None:
                on_timeout["Assign"] = {k: None for k in self.assign_target(ctx, s.target, "null")}
            catch.append(on_timeout)
        catch += self.catchers(ctx, {}, s.loc)
        task["Catch"] = catch
        task["Next"] = nxt
        self.states[n] = task
        # Python's order: the name, then the timeout (checked before the wait), then the wait
        first = n if s.timeout is None else waits.timeout_check(self, s, n, ctx)
        if isinstance(s.event, str):
            return first
        # a name computed at run time: evaluated first (its exception is the workflow's, as locally)
        name_n = self.name("Event name", s.loc)
        low = self.low(ctx)
        name_value = "{% " + low.finish(low.lower(s.event)) + " %}"
        assign = {self.temp_var(ctx, "event"): name_value}
        self.pure_pass(name_n, ctx, s.loc, assign, first, ir.may_raise(s.event))
        return name_n

    def try_stmt(self, s: ir.Try, nxt: str, ctx: Ctx) -> str:
        after = nxt
        frames = ctx.frames
        fin_frame: FinallyFrame | None = None
        if s.finalbody:
            # normal completion: run finally then continue
            after = self.block(s.finalbody, nxt, ctx)
            err_entry_name = self.name("Finally (error)", s.loc)
            fin_frame = FinallyFrame(err_entry_name, s.finalbody)
            reraise = self.raise_dynamic(ctx, s.loc)
            fin_body = self.block(s.finalbody, reraise, ctx)
            self.states[err_entry_name] = {"Type": "Pass", "Next": fin_body}
            frames = (*frames, fin_frame)
        hctx = replace(ctx, frames=frames)
        handlers: list[tuple[ir.Handler, str]] = []
        for h in s.handlers:
            label = "Except " + ("/".join(h.types) if h.types else "all")
            hn = self.name(label, s.loc)
            hbody = self.block(h.body, after, hctx)
            st: dict[str, Any] = {"Type": "Pass", "Next": hbody}
            if h.name is not None:
                st["Assign"] = {self.var(ctx, h.name): "{% $pf_err %}"}
            self.states[hn] = st
            handlers.append((h, hn))
        orelse = self.block(s.orelse, after, hctx)
        bctx = replace(ctx, frames=frames + ((TryFrame(tuple(handlers)),) if handlers else ()))
        return self.block(s.body, orelse, bctx)

    # ------------------------------------------------------------------------------------------ limits
    def check_limits(self, body: tuple[ir.Stmt, ...], in_loop: bool) -> None:
        for s in body:
            if isinstance(s, (ir.While, ir.For)):
                tasks = sum(
                    1
                    for x in ir.walk_stmts(s.body)
                    if isinstance(x, (ir.StepCall, ir.MapCall, ir.ParallelCall, ir.WaitForEvent, ir.Sleep))
                )
                names = self.loop_states.get(id(s), [])
                per_iter = sum(history_events(self.states[n]) for n in names if n in self.states)
                bound = _static_iterations(s)
                if tasks and (bound is None or bound * per_iter > HISTORY_LIMIT):
                    limit = HISTORY_LIMIT // max(per_iter, 1)
                    self.warn(
                        s.loc,
                        "PFW100",
                        f"this loop adds up to {per_iter} history events per iteration; Step Functions "
                        f"stops an execution at {HISTORY_LIMIT:,} events (about {limit:,} iterations)",
                        "bound the loop (for ... in range(n)), or keep the state in a step's storage and "
                        "start a new execution (a new run) to continue: child workflows are inlined on AWS "
                        "and count towards the same execution's history",
                    )
                for x in ir.walk_stmts(s.body):
                    if (
                        isinstance(x, ir.Assign)
                        and isinstance(x.value, ir.BinOp)
                        and x.value.ty == "list"
                        and isinstance(x.target, ir.NameTarget)
                        and isinstance(x.value.left, ir.Name)
                        and x.value.left.id == x.target.id
                    ):
                        self.warn(
                            x.loc,
                            "PFW101",
                            f"list {ir.shown_name(x.target.id)!r} grows inside a loop; Step Functions limits "
                            "state data "
                            "and variables to 256 KB",
                            "keep large data in a step's storage (S3, a database) and pass references",
                        )
                self.check_limits(s.body, True)
            elif isinstance(s, ir.If):
                self.check_limits(s.body, in_loop)
                self.check_limits(s.orelse, in_loop)
            elif isinstance(s, ir.Try):
                self.check_limits(s.body, in_loop)
                for h in s.handlers:
                    self.check_limits(h.body, in_loop)


def _rename_error_var(value: Any, name: str) -> Any:
    """``value`` (a parallel branch's states) with the error variable ``$pf_err`` renamed to ``$name``: a
    branch may not assign a variable of an outer scope (States.Runtime IllegalOuterScopeWrite), and
    ``pf_err`` is one as soon as the workflow has caught an error before the ``ctx.parallel``."""
    if isinstance(value, dict):
        return {(name if k == "pf_err" else k): _rename_error_var(v, name) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename_error_var(v, name) for v in value]
    if isinstance(value, str):
        return re.sub(r"\$pf_err\b", "$" + name, value)
    return value


def history_events(state: dict[str, Any]) -> int:
    """The history events one pass through ``state`` records: entered and exited, a Task's scheduled, started
    and succeeded, a Parallel's started and succeeded plus its branches' states (a Map: one iteration)."""
    kind = state["Type"]
    if kind == "Task":
        return 5
    if kind == "Parallel":
        return 4 + sum(history_events(st) for b in state["Branches"] for st in b["States"].values())
    if kind == "Map":
        inner = state.get("ItemProcessor") or state.get("Iterator") or {"States": {}}
        return 6 + sum(history_events(st) for st in inner["States"].values())
    return 2


def prune(states: dict[str, dict[str, Any]], start: str) -> dict[str, dict[str, Any]]:
    """Drop the states no transition reaches (asl-validator rejects them)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        n = todo.pop()
        if n in seen or n not in states:
            continue
        seen.add(n)
        st = states[n]
        targets = [st.get("Next"), st.get("Default")]
        targets += [c.get("Next") for c in st.get("Choices", [])]
        targets += [c.get("Next") for c in st.get("Catch", [])]
        todo += [t for t in targets if isinstance(t, str)]
    return {n: st for n, st in states.items() if n in seen}


def _static_iterations(s: ir.While | ir.For) -> int | None:
    if (
        isinstance(s, ir.For)
        and isinstance(s.iter, ir.Call)
        and s.iter.func == "range"
        and all(isinstance(a, ir.Const) for a in s.iter.args)
    ):
        vals = [a.value for a in s.iter.args if isinstance(a, ir.Const)]
        try:
            return len(range(*vals))
        except TypeError:
            return None
    if isinstance(s, ir.For) and isinstance(s.iter, (ir.Const, ir.ListExpr)):
        return len(s.iter.value) if isinstance(s.iter, ir.Const) else len(s.iter.items)
    return None


def _target_label(t: ir.Target) -> str:
    if isinstance(t, ir.NameTarget):
        return t.id
    return ", ".join(_target_label(e) for e in t.elts)


def compile_asl(program: ir.Program) -> tuple[dict[str, Any], list[Diagnostic]]:
    c = AslCompiler(program)
    definition = c.compile()
    unique = list(dict.fromkeys(c.diags))  # the aliasing pass is the pipeline's (copy semantics)
    return definition, sorted(unique, key=lambda d: (d.path != program.source, d.path, d.line, d.col))
