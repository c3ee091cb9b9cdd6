"""Lowering one workflow's body: the lowerer's state (locals, their static types, loop and handler depth,
the values hoisted out of an expression) and the dispatch of statements and expressions to the function
for their kind (:mod:`.statements`, :mod:`.expressions`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

import libcst as cst

from .. import ir
from ..ir import types
from . import conditional, expressions, hoisting, sets, statements
from .common import ANNOTATION_TYPES, NOT_LITERAL, Unsupported, type_of_value
from .modules import DslFunction

if TYPE_CHECKING:
    from .program import Frontend


class WorkflowLowerer:
    """Lowers one workflow's body to IR statements, reporting through the frontend."""

    def __init__(self, fe: Frontend, fn: DslFunction, stack: tuple[str, ...]) -> None:
        self.fe = fe
        self.fn = fn
        self.stack = stack
        self.info = fn.module
        self.ctx = ""
        self.locals: set[str] = set()
        self.types: dict[str, ir.Type] = {}
        self.error_vars: set[str] = set()
        self.loop_depth = 0
        self.finally_depth = 0
        self.nested_defs: dict[str, cst.FunctionDef] = {}
        self.handler_vars: list[str | None] = []
        self.step_failures_only: dict[
            str, bool
        ] = {}  # except-variable -> its handler catches only StepFailed
        self.event_failures_only: dict[str, bool] = {}  # ... only EventFailed
        self.handles: dict[str, str] = {}  # h = ctx.start_workflow(wf, ...): h -> wf's key (childruns.py)
        self.hoist: list[ir.Stmt] | None = None
        self.hoisted = 0
        # the ids of the step-like calls inside the statement being lowered that may run before it (hoisting)
        self.step_hoistable = hoisting.NOTHING
        self.spilling: set[int] = set()  # the spilled operands being lowered (hoisting.spill)
        self.spilled: set[int] = set()  # those of the statement being lowered that were spilled
        # a statement of a conditional expression holding a step call -> (it, the if it means): conditional.py
        self.conditionals: dict[int, tuple[cst.CSTNode, cst.If]] = {}
        # helpers being inlined (module.function, outermost first), the call nodes' ids that led here, the
        # number of each inlined copy by those ids (stable across the draft and the final lowering), and
        # the call chain a diagnostic inside a helper names (innermost first)
        self.helper_stack: tuple[str, ...] = ()
        self.inline_site: tuple[int, ...] = ()
        self.inline_ids: dict[tuple[int, ...], int] = {}
        self.chain: tuple[str, ...] = ()
        self.report = True  # diagnostics are reported (not while drafting)
        self.drafting = False  # the draft lowering, before the variables' types are inferred

    def run(self, name: str) -> ir.WorkflowDef | None:
        node = self.fn.node
        if node.asynchronous is not None:  # `portaflow run` refuses it at import, as every engine would
            self.fe.error(
                "PFC003",
                node.asynchronous,
                f"a workflow must be a plain (sync) function, not `async def {node.name.value}`",
                f"write def {node.name.value}(ctx: Context, ...): call steps directly (no await), wait with "
                "ctx.sleep / ctx.wait_for_event, and run steps concurrently with ctx.map / ctx.parallel",
            )
            return None
        params = list(node.params.params)
        if not params:
            self.fe.error(
                "PFC003",
                node,
                "a workflow's first parameter must be the Context",
                f"write def {node.name.value}(ctx: Context, ...)",
            )
            return None
        self.ctx = params[0].name.value
        ir_params: list[ir.Param] = []
        for p in params[1:] + list(node.params.kwonly_params):
            ty: ir.Type = "any"
            if p.annotation is not None:
                ty = ANNOTATION_TYPES.get(self.fe.dotted(p.annotation.annotation).split("[")[0], "any")
                if isinstance(p.annotation.annotation, cst.Subscript):
                    ty = ANNOTATION_TYPES.get(self.fe.dotted(p.annotation.annotation.value), "any")
            self.types[p.name.value] = ty
            self.locals.add(p.name.value)
            default = None
            if p.default is not None:
                lit = self.fe.literal(p.default)
                if lit is NOT_LITERAL:
                    self.fe.error(
                        "PFC010",
                        p.default,
                        "a workflow parameter's default must be a JSON literal",
                        "write a number, string, bool, None, list or dict literal",
                    )
                else:
                    default = ir.Const(lit, type_of_value(lit))
            ir_params.append(ir.Param(p.name.value, default, ty))
        if node.params.star_arg is not None and isinstance(node.params.star_arg, cst.Param):
            self.fe.error(
                "PFC003",
                node.params.star_arg,
                "a workflow cannot take *args",
                "take named parameters: they come from the input object",
            )
        if node.params.star_kwarg is not None:
            self.fe.error(
                "PFC003",
                node.params.star_kwarg,
                "a workflow cannot take **kwargs",
                "take named parameters: they come from the input object",
            )
        body_nodes = self.body_statements(node.body)
        self.collect_locals(body_nodes)
        # A draft lowering (nothing reported) gives the IR the variables' types are inferred from (an IR
        # pass, to a fixed point); the body is then lowered once more with them, reporting.
        self.report, self.drafting = False, True
        n_diags = len(self.fe.diags)
        draft = tuple(self.lower_body(body_nodes))
        del self.fe.diags[n_diags:]
        returns = {key: sd.returns for key, sd in self.fe.steps_ir.items()}
        self.types = types.infer_variables(draft, {p.name: p.ty for p in ir_params}, returns)
        self.report, self.drafting = True, False
        self.hoisted = 0
        body = self.lower_body(body_nodes)
        sets.check(self, tuple(body))
        return ir.WorkflowDef(
            name,
            node.name.value,
            self.ctx,
            tuple(ir_params),
            tuple(body),
            self.fe.pos(node),
            module=self.info.file.name,
            source=self.info.path,
        )

    def arith_operator(self, operator: cst.CSTNode, table: dict[type, str]) -> str:
        """The IR name of an arithmetic operator (binary or augmented); PFC021 for the others."""
        op = table.get(type(operator))
        if op is None:
            self.error(
                "PFC021",
                operator,
                f"operator `{self.fe.code(operator).strip()}` is not supported",
                "use + - * / // % ** only",
            )
            raise Unsupported
        return op

    def error(self, code: str, node: cst.CSTNode, message: str, hint: str = "") -> None:
        if self.report:
            where = f" ({', '.join(self.chain)})" if self.chain else ""
            self.fe.error(code, node, message + where, hint)

    def caller(self) -> str:
        """The function whose body is being lowered: the workflow, or the helper inlined into it."""
        return self.helper_stack[-1].rsplit(".", 1)[-1] + "()" if self.helper_stack else self.fn.function

    def body_statements(self, body: cst.BaseSuite) -> list[cst.CSTNode]:
        if isinstance(body, cst.SimpleStatementSuite):
            return list(body.body)
        out: list[cst.CSTNode] = []
        for s in cast(cst.IndentedBlock, body).body:
            if isinstance(s, cst.SimpleStatementLine):
                out.extend(s.body)
            else:
                out.append(s)
        return out

    def is_now(self, node: cst.BaseExpression) -> bool:
        """``ctx.now()`` itself, or a local of type ``datetime`` (every assignment of it is ``ctx.now()``
        or another such local): ``.timestamp()`` and ``.isoformat()`` are known to apply."""
        if isinstance(node, cst.Name):
            return self.types.get(node.value) == "datetime"
        return (
            isinstance(node, cst.Call)
            and not node.args
            and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)
            and node.func.value.value == self.ctx
            and node.func.attr.value == "now"
        )

    def collect_locals(self, nodes: Sequence[cst.CSTNode]) -> None:
        class V(cst.CSTVisitor):
            def __init__(self, outer: WorkflowLowerer) -> None:
                self.o = outer

            def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
                self._t(node.target)

            def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
                self._t(node.target)

            def visit_AugAssign(self, node: cst.AugAssign) -> None:
                self._t(node.target)

            def visit_For(self, node: cst.For) -> None:
                self._t(node.target)

            def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
                if node.name is not None and isinstance(node.name.name, cst.Name):
                    self.o.locals.add(node.name.name.value)
                    self.o.error_vars.add(node.name.name.value)

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                self.o.nested_defs[node.name.value] = node
                return False

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False

            def visit_ListComp(self, node: cst.ListComp) -> bool:
                return False

            def visit_DictComp(self, node: cst.DictComp) -> bool:
                return False

            def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
                return False

            def _t(self, t: cst.BaseExpression) -> None:
                if isinstance(t, cst.Name):
                    self.o.locals.add(t.value)
                elif isinstance(t, (cst.Tuple, cst.List)):
                    for el in t.elements:
                        self._t(el.value)

        v = V(self)
        for n in nodes:
            n.visit(v)

    def lower_body(self, nodes: Sequence[cst.CSTNode]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for n in nodes:
            n = conditional.rewrite(self, n)  # `x = ask(q) if c else y`: the if statement it means
            # ctx.now()/uuid4()/random()/idempotency_key() inside an expression become statements before it,
            # and so do the step calls that Python would run first (hoisting.py)
            simple = not isinstance(n, (cst.While, cst.For, cst.If, cst.Try, cst.FunctionDef))
            # held here too: a comprehension sets self.hoist to None (nothing more may be hoisted out of
            # it), which must not lose what was hoisted before it
            hoisted: list[ir.Stmt] | None = [] if simple else None
            calls = (
                hoisting.leading_calls(self, hoisting.statement_operands(n)) if simple else hoisting.NOTHING
            )
            with self._hoisting(hoisted, calls), contextlib.suppress(Unsupported):
                lowered = self.stmt(n)
                hoisting.check_spilled(self)
                out.extend([*(hoisted or []), *lowered])
        return out

    @contextlib.contextmanager
    def _hoisting(self, hoisted: list[ir.Stmt] | None, calls: hoisting.Hoisting) -> Iterator[None]:
        """Lower one statement (or a compound statement's leading expression) whose hoisted statements go
        to ``hoisted``, with ``calls`` its hoisting; the enclosing statement's come back after."""
        saved = self.hoist, self.step_hoistable, self.spilled
        self.hoist, self.step_hoistable, self.spilled = hoisted, calls, set()
        try:
            yield
        finally:
            self.hoist, self.step_hoistable, self.spilled = saved

    def hoisting_expr(self, n: cst.BaseExpression) -> tuple[list[ir.Stmt], ir.Expr]:
        """A compound statement's leading expression (an ``if`` or ``while`` test, a ``for`` loop's
        iterable) with the statements hoisted out of it, which run just before it."""
        hoisted: list[ir.Stmt] = []
        with self._hoisting(hoisted, hoisting.leading_calls(self, [n])):
            value = self.expr(n)
            hoisting.check_spilled(self)
        return hoisted, value

    def suite(self, body: cst.BaseSuite) -> list[ir.Stmt]:
        return self.lower_body(self.body_statements(body))

    def pop_scope(self, scope: dict[str, tuple[bool, ir.Type | None]]) -> None:
        for name, (was_local, ty) in scope.items():
            if not was_local:
                self.locals.discard(name)
            if ty is None:
                self.types.pop(name, None)
            else:
                self.types[name] = ty

    def stmt(self, n: cst.CSTNode) -> list[ir.Stmt]:
        rule = statements.STATEMENTS.get(type(n), statements.unsupported)
        return rule(self, n, self.fe.pos(n))

    def expr(self, n: cst.BaseExpression) -> ir.Expr:
        if self.hoist is not None and id(n) in self.step_hoistable.spills and id(n) not in self.spilling:
            return hoisting.spill(self, n)
        rule = expressions.EXPRESSIONS.get(type(n), expressions.unsupported)
        return rule(self, n)
