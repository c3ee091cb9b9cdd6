"""Fast iteration over the meaningful children of a libcst node.

libcst's own visitors rebuild every node they pass through, which costs about half a parse per walk. The
engine only reads the tree, so it walks the dataclass fields directly and skips whitespace, parentheses and
commas."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

_TRIVIA_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "leading_lines",
        "lines_after_decorators",
        "comma",
        "semicolon",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "equal",
        "colon",
        "first_colon",
        "second_colon",
        "dot",
        "star",
        "whitespace",
        "operator",
        "asynchronous",
        "posonly_ind",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "indent",
        "relative",
        "empty_lines",
        "trailing_comma",
    }
)

# Fields holding names that are not references to a value (an attribute's name, a keyword's name...).
_NAME_FIELDS: dict[type[cst.CSTNode], frozenset[str]] = {
    cst.Attribute: frozenset({"attr"}),
    cst.Arg: frozenset({"keyword"}),
    cst.FunctionDef: frozenset({"name"}),
    cst.ClassDef: frozenset({"name"}),
    cst.Param: frozenset({"name"}),
    cst.ImportAlias: frozenset({"name", "asname"}),
    cst.ImportFrom: frozenset({"module", "names"}),
    cst.Import: frozenset({"names"}),
    cst.Global: frozenset({"names"}),
    cst.Nonlocal: frozenset({"names"}),
    cst.ExceptHandler: frozenset({"name"}),
    cst.ExceptStarHandler: frozenset({"name"}),
    cst.WithItem: frozenset({"asname"}),
    cst.MatchKeywordElement: frozenset({"key"}),
}

_FIELDS_CACHE: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _fields_of(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    fields = _FIELDS_CACHE.get(cls)
    if fields is None:
        skip = _NAME_FIELDS.get(cls, frozenset())
        fields = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in _TRIVIA_FIELDS and not f.name.startswith("whitespace") and f.name not in skip
        )
        _FIELDS_CACHE[cls] = fields
    return fields


_IS_NODE: dict[type, bool] = {}


def _is_node_type(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Yield the children of ``node`` that can hold code, skipping names that are not references."""
    for name in _fields_of(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is list or kind is tuple:
            for item in value:
                if _is_node_type(type(item)):
                    yield item
        elif _is_node_type(kind):
            yield value
