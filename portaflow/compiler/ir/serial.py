"""IR nodes to and from plain JSON data (``portaflow compile --target ir``; a backend in another process)."""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Any

from . import nodes
from .nodes import JsonValue


def to_json(node: Any) -> JsonValue:
    """A node (or tuple/dict of nodes) as plain JSON data; ``kind`` tags every node."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        out: dict[str, JsonValue] = {"kind": _kind(type(node))}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            # a field added in a later IR version is left out while it is empty (None, False or ()), so
            # programs that do not use it keep the JSON they had
            empty = value is None or value is False or (isinstance(value, tuple) and not value)
            if f.name != "kind" and not (empty and f.metadata.get("omit_if_none")):
                out[f.name] = to_json(value)
        return out
    if isinstance(node, (tuple, list)):
        return [to_json(x) for x in node]
    if isinstance(node, dict):
        return {str(k): to_json(v) for k, v in node.items()}
    return node


def from_json(data: JsonValue) -> Any:
    """The node (or tuple/dict of nodes) :func:`to_json` made ``data`` from; JSON arrays become tuples."""
    if isinstance(data, dict) and isinstance(data.get("kind"), str) and data["kind"] in _classes():
        cls = _classes()[data["kind"]]
        hints = _hints(cls)
        return cls(**{k: _field(v, hints[k]) for k, v in data.items() if k != "kind"})
    if isinstance(data, list):
        return tuple(from_json(x) for x in data)
    if isinstance(data, dict):
        return {k: from_json(v) for k, v in data.items()}
    return data


def _kind(cls: type) -> str:
    field_ = {f.name: f for f in dataclasses.fields(cls)}.get("kind")
    default = field_.default if field_ is not None else None
    return default if isinstance(default, str) else cls.__name__.lower()


@functools.cache
def _classes() -> dict[str, type]:
    """kind tag -> node class, for every dataclass of :mod:`.nodes`."""
    out: dict[str, type] = {}
    for obj in vars(nodes).values():
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == nodes.__name__:
            out[_kind(obj)] = obj
    return out


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(nodes))


def _field(data: JsonValue, hint: Any) -> Any:
    """A field's value: a JSON value (``Const.value``) is kept as it is, so that a constant list stays a
    list and a constant dict with a "kind" key is not read as a node; a mapping's keys are names."""
    if hint is Any:
        return data
    if typing.get_origin(hint) is dict:
        return {k: from_json(v) for k, v in data.items()}
    return from_json(data)
