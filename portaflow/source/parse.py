"""Reading and parsing a Python file the way CPython would: PEP 263 encoding cookies, and syntax errors at
the line, column and wording ``python`` itself reports (libcst's own positions are a fallback only).

libcst is imported when a file is parsed, not when this module is imported."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


class ParseFailure(Exception):
    """A file that cannot be read, decoded or parsed; ``line``/``col`` (1-based) locate the problem.
    ``decode_error``: the codec's error, for a file whose bytes do not decode."""

    def __init__(
        self, message: str, line: int = 1, col: int = 1, decode_error: UnicodeDecodeError | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.decode_error = decode_error


def decode_source(data: bytes) -> str:
    """The text of a source file: its PEP 263 cookie or BOM names the encoding, else UTF-8."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # a first line that is not UTF-8 and no cookie, or a cookie of no codec
        raise ParseFailure(f"cannot decode file: {exc}", decode_error=_utf8_error(data)) from None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        error = exc if isinstance(exc, UnicodeDecodeError) else None
        raise ParseFailure(f"cannot decode file as {encoding}: {exc}", decode_error=error) from None


def _utf8_error(data: bytes) -> UnicodeDecodeError | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None


def read_source(path: Path) -> str:
    """Read and decode ``path`` (ParseFailure when it cannot be read or decoded)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseFailure(f"cannot read file: {exc.strerror or exc}") from None
    return decode_source(data)


def parse_module(text: str) -> cst.Module:
    """libcst's tree of ``text``; a syntax error is a ParseFailure at CPython's position."""
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        message, line, col = syntax_error(text, exc)
        raise ParseFailure(f"syntax error: {message}", line, col) from None
    except (RecursionError, MemoryError, ValueError) as exc:  # pathological input
        raise ParseFailure(f"cannot parse file: {type(exc).__name__}") from None


def syntax_error(source: str, e: cst.ParserSyntaxError) -> tuple[str, int, int]:
    """(message, line, column) of a module libcst cannot parse: CPython's, as ``python`` reports it at
    import (its parser only parses, runs nothing); else libcst's, at the position its text names
    ("error at 6:0": the line, and the column counted from 0)."""
    try:
        ast.parse(source)
    except SyntaxError as py:
        return py.msg, py.lineno or 1, py.offset or 1
    except (ValueError, RecursionError, MemoryError):
        pass
    message = e.message.removeprefix("parser error: ").removeprefix("tokenizer error: ")
    line, col = e.raw_line, e.raw_column + 1
    m = re.match(r"error at (\d+):(\d+): ", message)
    if m is not None:
        message = message[m.end() :]
        line, col = int(m.group(1)), int(m.group(2)) + 1
    lines = source.splitlines()
    if line > len(lines):  # the end of the file: point after its last character
        line = max(len(lines), 1)
        col = len(lines[-1]) + 1 if lines else 1
    return message, line, col
