"""Every row of the catalogue (portaflow/compiler/catalog.py) is lowered by the AWS backend, or refused by
it with a diagnostic code: a new row cannot be silently unhandled."""

from __future__ import annotations

import re

import pytest

from portaflow.backends.aws.lower.calls import LOWERINGS, REFUSED
from portaflow.backends.aws.lower.jsonata import Lowerer
from portaflow.compiler import catalog, ir


def test_every_catalogue_row_is_lowered_or_refused() -> None:
    assert not set(LOWERINGS) & set(REFUSED)
    assert set(LOWERINGS) | set(REFUSED) == set(catalog.CATALOG)
    assert all(re.fullmatch(r"PF[CW]\d{3}", code) for code, _ in REFUSED.values())


@pytest.mark.parametrize("row", catalog.ROWS, ids=lambda r: r.name)
def test_a_row_lowers_to_jsonata_or_names_its_refusal(row: catalog.Builtin) -> None:
    args = tuple(ir.Name(f"a{i}") for i in range(row.signature.least + row.is_method))
    call = ir.Call(row.name, args, (), row.result)
    lowerer = Lowerer(lambda name: f"${name}")
    if row.name in REFUSED:
        with pytest.raises(ValueError, match=REFUSED[row.name][0]):
            lowerer.lower(call)
    else:
        assert lowerer.lower(call)


@pytest.mark.parametrize("method", ["title", "capitalize", "casefold"])
def test_titlecase_and_case_folding_use_the_compiling_pythons_tables(method: str) -> None:
    """No JavaScript function has Python's titlecase or case folding: the helper carries the compiling
    Python's mapping of every character it changes (the pysem vectors check the results against CPython)."""
    from portaflow.backends import get
    from portaflow.backends.aws.lower import casemaps
    from portaflow.backends.aws.lower.jsonata import HELPERS
    from portaflow.compiler.frontend import compile_source
    from portaflow.compiler.pipeline import diagnose

    src = (
        "from portaflow import Context, workflow\n\n\n@workflow\ndef w(ctx: Context, name: str, v) -> list:\n"
        f"    x = 1\n    return [name.{method}(), v.{method}()]\n"
    )
    assert diagnose(compile_source(src, "app.py"), get("aws")) == []
    text, _ = HELPERS[casemaps.call(method, "$s")[0]]
    mapping = '"\u01c6": "\u01c5"' if method != "casefold" else '"\u00df": "ss"'
    assert mapping in text
