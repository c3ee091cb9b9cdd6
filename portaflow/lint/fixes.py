"""Applying the rules' fixes: one libcst transform per file that keeps all other formatting and comments."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

from portaflow.lint.engine.index import ModuleInfo
from portaflow.lint.rules.base import Fix


class _ReplaceNodes(cst.CSTTransformer):
    def __init__(self, fixes: Sequence[Fix]) -> None:
        super().__init__()
        self._fixes: dict[int, Fix] = {}
        for fix in fixes:
            self._fixes.setdefault(id(fix.node), fix)

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        fix = self._fixes.get(id(original_node))
        if fix is not None and fix.node is original_node:
            return fix.build(updated_node)
        return updated_node


def fixed_source(info: ModuleInfo, fixes: Sequence[Fix]) -> str:
    """The text of ``info`` with ``fixes`` applied and the imports they made unused removed."""
    new_module = info.module.visit(_ReplaceNodes(fixes))
    refs = {ref for fix in fixes for ref in fix.imports if not ref.module.startswith(".")}
    if refs:
        context = CodemodContext()
        for ref in sorted(refs, key=lambda r: (r.module, r.obj or "", r.asname or "")):
            RemoveImportsVisitor.remove_unused_import(context, ref.module, ref.obj, ref.asname)
        before = cst.parse_module(new_module.code)
        new_module = _keep_blank_lines(before, RemoveImportsVisitor(context).transform_module(before))
    code = new_module.code
    cst.parse_module(code)  # a fix must never produce a file that does not parse
    return code


def _keep_blank_lines(before: cst.Module, after: cst.Module) -> cst.Module:
    """Give the blank lines and comments above a removed top-level import to the statement that follows it."""
    old = [before.code_for_node(stmt) for stmt in before.body]
    new = [after.code_for_node(stmt) for stmt in after.body]
    body = list(after.body)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag != "delete" or j1 >= len(body):
            continue
        removed = [line for stmt in before.body[i1:i2] for line in stmt.leading_lines]
        lines = [*removed, *body[j1].leading_lines]
        if j1 == 0:  # the file's first statement now: no blank line above it
            while lines and lines[0].comment is None:
                lines.pop(0)
        body[j1] = body[j1].with_changes(leading_lines=lines)
    return after.with_changes(body=body)


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )
