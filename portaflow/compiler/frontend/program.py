"""The frontend: a workflow and the steps and child workflows it calls, each lowered once, in its own module,
to the IR. Steps' options (retry policies, timeouts) are read here; a workflow's body is lowered by
:class:`.lowerer.WorkflowLowerer`."""

from __future__ import annotations

import dataclasses
from typing import Any

import libcst as cst

from portaflow.dsl.retry import jitter_fraction

from .. import ir
from .common import ANNOTATION_TYPES
from .lowerer import WorkflowLowerer
from .modules import DslFunction, ModuleReader


class Frontend(ModuleReader):
    """Lower a module's workflows to IR, with the steps and child workflows they import from the project's
    other modules; collects diagnostics."""

    def __init__(self, path: str, source: str) -> None:
        super().__init__(path, source)
        self.steps_ir: dict[str, ir.StepDef] = {}
        self.workflows_ir: dict[str, ir.WorkflowDef] = {}

    def lower_step(self, fn: DslFunction) -> tuple[str, ir.StepDef]:
        """The step's key and definition (its options are checked once, in its own module)."""
        key = self.step_key(fn)
        if key not in self.steps_ir:
            with self.within(fn.module, keep=True):
                self.steps_ir[key] = self._lower_step(fn)
        return key, self.steps_ir[key]

    def _lower_step(self, fn: DslFunction) -> ir.StepDef:
        self.positional_options(fn)
        node = fn.node
        if node.asynchronous is not None:  # refused by @step at import, so by `portaflow run` too
            self.error(
                "PFC003",
                node.asynchronous,
                f"a step must be a plain (sync) function, not `async def {node.name.value}`",
                f"write def {node.name.value}(...); to use async code inside it, call "
                "asyncio.run(...) in its body",
            )
        params: list[str] = []
        required: list[str] = []
        for p in node.params.params:
            params.append(p.name.value)
            if p.default is None:
                required.append(p.name.value)
        for p in node.params.kwonly_params:
            params.append(p.name.value)
            if p.default is None:
                required.append(p.name.value)
        if isinstance(node.params.star_arg, cst.Param):
            self.error(
                "PFC003",
                node.params.star_arg,
                "a step cannot take *args: arguments are bound by name",
                "declare each parameter by name",
            )
        retry = ir.RetrySpec()
        timeout: float | None = None
        locs: dict[str, ir.Loc] = {}
        for opt, value in fn.options.items():
            if opt == "retry":
                locs["retry"] = self.pos(value)
                retry = self._retry_policy(value, locs)
            elif opt == "timeout":
                if not (isinstance(value, cst.Name) and value.value == "None"):
                    timeout = self.duration(value, "timeout")
                    locs["timeout"] = self.pos(value)
            elif opt != "name":
                self.error(
                    "PFC011",
                    value,
                    f"@step has no option {opt!r}",
                    'the options are retry=RetryPolicy(...), timeout="30s", name="..."',
                )
        returns: ir.Type = "any"
        if node.returns is not None:
            returns = ANNOTATION_TYPES.get(self.dotted(node.returns.annotation).split("[")[0], "any")
            ann = node.returns.annotation
            if isinstance(ann, cst.Subscript):
                returns = ANNOTATION_TYPES.get(self.dotted(ann.value), "any")
        name = self.option_name(fn) or node.name.value
        sd = ir.StepDef(
            name=name,
            function=node.name.value,
            params=tuple(p for p in params if p != "idempotency_key"),
            required=tuple(p for p in required if p != "idempotency_key"),
            wants_idempotency_key="idempotency_key" in params,
            retry=retry,
            timeout_seconds=timeout,
            returns=returns,
            loc=self.pos(node),
            module=fn.module.file.name,
            source=fn.module.path,
            option_locs=tuple(sorted(locs.items())),
        )
        return sd

    def positional_options(self, fn: DslFunction) -> None:
        for arg in fn.positional:
            self.error(
                "PFC011", arg, f"@{fn.kind} takes keyword arguments only", f"write @{fn.kind}(name=...)"
            )

    def _retry_policy(self, node: cst.BaseExpression, locs: dict[str, ir.Loc] | None = None) -> ir.RetrySpec:
        """The literal RetryPolicy; ``locs`` receives the position of each interval argument."""
        assert self.info is not None
        if isinstance(node, cst.Name) and node.value in self.info.policies:
            node = self.info.policies[node.value]  # a module-level constant holding a literal RetryPolicy
        elif isinstance(node, cst.Name):
            t = self.resolve_name(self.info, node.value)
            if t is not None and t.kind == "policy" and t.module is not None:
                with self.within(t.module):  # a constant imported from another module: read it there
                    return self._retry_policy(t.module.policies[t.name])
        if not (
            isinstance(node, cst.Call)
            and self.info.dsl_names.get(self.dotted(node.func).rsplit(".", 1)[-1]) == "RetryPolicy"
        ):
            self.error(
                "PFC010",
                node,
                f"retry= must be a literal RetryPolicy(...) call, not `{self.code(node)}`",
                'write retry=RetryPolicy(max_attempts=3, initial_interval="1s") in the decorator',
            )
            return ir.RetrySpec()
        fields: dict[str, Any] = {}
        order = [
            "max_attempts",
            "initial_interval",
            "backoff",
            "max_interval",
            "non_retryable",
            "retry_on",
            "jitter",
        ]
        for i, arg in enumerate(node.args):
            kw = arg.keyword.value if arg.keyword is not None else (order[i] if i < len(order) else "?")
            v = arg.value
            if kw == "max_attempts":
                lit = self.literal(v)
                if not isinstance(lit, int) or isinstance(lit, bool) or lit < 1:
                    self.error(
                        "PFC011",
                        v,
                        "max_attempts must be an integer literal >= 1",
                        "write e.g. max_attempts=3 (it counts the first attempt)",
                    )
                else:
                    fields[kw] = lit
            elif kw in ("initial_interval", "max_interval"):
                d = self.duration(v, kw)
                if d is not None:
                    fields[kw] = d
                    if locs is not None:
                        locs[kw] = self.pos(v)
            elif kw == "backoff":
                lit = self.literal(v)
                if not isinstance(lit, (int, float)) or isinstance(lit, bool) or lit < 1:
                    self.error("PFC011", v, "backoff must be a number literal >= 1", "write e.g. backoff=2.0")
                else:
                    fields[kw] = float(lit)
            elif kw in ("non_retryable", "retry_on"):
                fields[kw] = self._error_names(kw, v)
            elif kw == "jitter":
                if locs is not None:
                    locs[kw] = self.pos(v)
                try:
                    fields[kw] = jitter_fraction(self.literal(v))
                except ValueError:
                    self.error(
                        "PFC011",
                        v,
                        'jitter must be None, "full" or a number literal in (0, 1]',
                        'write jitter="full" (a delay in [0, d)) or jitter=0.5 (in [d/2, d))',
                    )
            else:
                self.error(
                    "PFC011",
                    arg,
                    f"RetryPolicy has no argument {kw!r}",
                    "the arguments are " + ", ".join(order),
                )
        nr: tuple[str, ...] = fields.get("non_retryable", ())
        on: tuple[str, ...] = fields.get("retry_on", ())
        if nr and on:
            self.error(
                "PFC011",
                node,
                "RetryPolicy takes non_retryable (errors never retried) or retry_on (the only errors "
                "retried), not both",
                "keep the one list that is shorter to write",
            )
        initial = fields.get("initial_interval", 1.0)
        if "max_interval" in fields and fields["max_interval"] < initial:
            self.error(
                "PFC011",
                node,
                "RetryPolicy.max_interval must not be shorter than initial_interval",
                "raise max_interval, or leave it out (it defaults to 60s, or to initial_interval if longer)",
            )
        spec = ir.RetrySpec(
            max_attempts=fields.get("max_attempts", 3),
            initial_interval=initial,
            backoff=fields.get("backoff", 2.0),
            max_interval=fields.get("max_interval", max(60.0, initial)),
            non_retryable=nr,
            non_retryable_matches=self.exception_matches(nr) if nr else (),
            retry_on=on,
            retry_on_matches=self.exception_matches(on) if on else (),
            jitter=fields.get("jitter"),
        )
        return spec

    def _error_names(self, kw: str, v: cst.BaseExpression) -> tuple[str, ...]:
        """The exception class names of a literal ``non_retryable=[...]`` / ``retry_on=[...]``."""
        names: list[str] = []
        if not isinstance(v, (cst.List, cst.Tuple)):
            self.error("PFC010", v, f"{kw} must be a literal list or tuple", f"write {kw}=[ValueError]")
            return ()
        for el in v.elements:
            e = el.value
            lit = self.literal(e)
            if isinstance(lit, str):
                names.append(lit)
            elif isinstance(e, (cst.Name, cst.Attribute)):
                names.append(self.dotted(e).rsplit(".", 1)[-1])
            else:
                self.error(
                    "PFC010",
                    e,
                    f"{kw} entries must be exception classes or names",
                    f'write {kw}=[ValueError, "PaymentDeclined"]',
                )
        return tuple(names)

    def lower_workflow(
        self, fn: DslFunction, stack: tuple[str, ...] = ()
    ) -> tuple[str, ir.WorkflowDef | None]:
        """The workflow's key and definition, lowered once, in its own module."""
        key = self.step_key(fn)
        if key in self.workflows_ir:
            return key, self.workflows_ir[key]
        with self.within(fn.module, keep=True):
            self.positional_options(fn)
            timeout: float | None = None
            for opt, value in fn.options.items():
                if opt == "timeout":
                    if not (isinstance(value, cst.Name) and value.value == "None"):
                        timeout = self.duration(value, "timeout")
                elif opt in ("schedule", "timezone"):
                    pass  # run by `portaflow worker`; docs/ir.md says how each target's scheduler maps
                elif opt != "name":
                    self.error(
                        "PFC011",
                        value,
                        f"@workflow has no option {opt!r}",
                        'the options are name="...", timeout="7d", schedule="0 9 * * MON", timezone="..."',
                    )
            name = self.option_name(fn) or fn.function
            lowerer = WorkflowLowerer(self, fn, (*stack, key))
            wf = lowerer.run(name)
            if wf is not None and timeout is not None:
                wf = dataclasses.replace(wf, timeout=timeout)
        if wf is not None:
            self.workflows_ir[key] = wf
        return key, wf
