"""Line and column of nodes, computed only for the statements that contain findings.

libcst's PositionProvider regenerates and measures the whole file (about twice the cost of parsing it).
Findings are rare, so the engine measures each top-level statement's text once to know the line it starts on,
and runs the PositionProvider on a module holding just the statement that contains a finding."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from portaflow.lint.engine.index import ModuleInfo

_NEWLINES = re.compile(r"\r\n?|\n")


class PositionIndex:
    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self._start_lines: dict[int, int] | None = None
        self._ranges: dict[int, dict[cst.CSTNode, CodeRange]] = {}

    def _statement_lines(self) -> dict[int, int]:
        if self._start_lines is None:
            module = self.info.module
            line = 1 + len(module.header)
            starts: dict[int, int] = {}
            for stmt in module.body:
                starts[id(stmt)] = line
                line += len(_NEWLINES.findall(module.code_for_node(stmt)))
            self._start_lines = starts
        return self._start_lines

    def range_of(self, node: cst.CSTNode, top_stmt: cst.CSTNode) -> tuple[int, int, int, int]:
        """(line, col, end_line, end_col), 1-based columns, of ``node`` inside the top-level ``top_stmt``."""
        ranges = self._ranges.get(id(top_stmt))
        if ranges is None:
            module = self.info.module
            wrapper = MetadataWrapper(
                cst.Module(
                    body=[top_stmt],  # type: ignore[list-item]
                    header=[],
                    footer=[],
                    default_indent=module.default_indent,
                    default_newline=module.default_newline,
                ),
                unsafe_skip_copy=True,
            )
            ranges = dict(wrapper.resolve(PositionProvider))
            self._ranges[id(top_stmt)] = ranges
        offset = self._statement_lines().get(id(top_stmt), 1) - 1
        found = ranges.get(node)
        if found is None:
            return offset + 1, 1, offset + 1, 1
        return (
            found.start.line + offset,
            found.start.column + 1,
            found.end.line + offset,
            found.end.column + 1,
        )
