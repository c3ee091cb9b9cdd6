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
