"""The catalogue of builtins and methods (portaflow/compiler/catalog.py) against CPython: a row's
exceptions are every exception Python raises for it on JSON values, and a row that raises nothing never
does (the AWS backend leaves such a call unguarded)."""

from __future__ import annotations

import builtins
import datetime
import importlib
import itertools
import json
from collections.abc import Callable
from typing import Any, get_args

import pytest

from portaflow.compiler import catalog, ir
from portaflow.compiler import frontend as fe

SAMPLES: list[Any] = [
    None,
    True,
    0,
    3,
    -2.5,
    float("nan"),
    float("inf"),
    "",
    " a,b ",
    "12",
    "[1]",
    [],
    [1, 2],
    ["a", "b"],
    [[1, 2], [3, 4]],
    ["abc"],
    {},
    {"a": 1},
]


# the receivers of the datetime and timedelta rows (ctx.now()'s aware UTC datetime, their differences)
RECEIVERS: dict[str, list[Any]] = {
    "datetime": [datetime.datetime.now(datetime.UTC)],
    "timedelta": [datetime.timedelta(days=-1, microseconds=5), datetime.timedelta(0)],
}
WHOLE = [0, -2, True, 10**12]


def _python(row: catalog.Builtin) -> Callable[..., Any]:
    """The Python callable of a row; a method's receiver is its first argument."""
    if row.attribute:
        return lambda recv: getattr(recv, row.method)
    if row.is_method:
        return lambda recv, *args: getattr(recv, row.method)(*args)
    if row.module:
        return getattr(importlib.import_module(row.module), row.name)  # type: ignore[no-any-return]
    if row.name.startswith("json."):
        return getattr(json, row.name.partition(".")[2])  # type: ignore[no-any-return]
    if row.name == "type.__name__":
        return lambda x: type(x).__name__
    return getattr(builtins, row.name)  # type: ignore[no-any-return]


def _copy(value: Any) -> Any:
    """A fresh list or dict each call (list.append changes its receiver)."""
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def _arities(row: catalog.Builtin) -> range:
    sig = row.signature
    return range(sig.least, (sig.most if sig.most is not None else 2) + 1)


@pytest.mark.parametrize("row", catalog.ROWS, ids=lambda r: r.name)
def test_a_rows_exceptions_are_those_python_raises(row: catalog.Builtin) -> None:
    fn = _python(row)
    raises = tuple(getattr(builtins, name) for name in row.raises)
    receivers = RECEIVERS.get(row.receiver, SAMPLES)
    for n in _arities(row):
        heads = [(r,) for r in receivers] if row.is_method else [()]
        values = SAMPLES if n <= 1 else SAMPLES[::2]  # fewer for many arguments: the product grows fast
        if row.name == "timedelta":
            values = WHOLE  # the frontend passes ints only
        for head, rest in itertools.product(heads, itertools.product(values, repeat=n)):
            args = [*head, *(_copy(a) for a in rest)]
            try:
                fn(*args)
            except Exception as exc:
                assert isinstance(exc, raises), f"{row.name}{tuple(args)} raised {exc!r}, not in {row.raises}"


def test_every_row_is_well_formed() -> None:
    types = set(get_args(ir.Type))
    for row in catalog.ROWS:
        assert row.result in types and row.items in types, row.name
        assert all(issubclass(getattr(builtins, name), Exception) for name in row.raises), row.name
        assert not row.mutates or (row.is_method and row.result == "none"), row.name
    assert catalog.lookup("any.get") is catalog.CATALOG["dict.get"]
    assert catalog.lookup("no.such") is None


def test_the_frontends_tables_are_the_catalogues() -> None:
    assert {row.name: row.signature for row in catalog.ROWS} == fe.SIGNATURES
    assert {"append", "extend"} == fe.LIST_MUTATORS
    assert fe.DATETIME_METHODS == {
        "timestamp": "float",
        "isoformat": "str",
        "strftime": "str",
        "weekday": "int",
        "isoweekday": "int",
    }
    assert not (catalog.IN_PLACE_REFUSED & set(fe.STR_METHODS | fe.LIST_MUTATORS | set(fe.DICT_METHODS)))


def test_a_call_may_raise_as_its_row_says() -> None:
    x = ir.Name("x")
    for row in catalog.ROWS:
        args = (x,) * max(row.signature.least, 1 if row.is_method else 0)
        assert ir.may_raise(ir.Call(row.name, args, (), row.result)) == bool(row.raises), row.name
