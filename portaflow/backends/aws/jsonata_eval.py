"""Evaluate JSONata offline with jsonata-python, as Step Functions evaluates it.

jsonata-python 0.7.1 differs from JSONata (JavaScript) in one operator the lowering relies on: ``%``
truncates its result to an integer (``2.5 % 2`` gives 0, JavaScript gives 0.5). :func:`faithful` fixes that
for the duration of a ``with`` block; ``tests/aws/test_moto_canaries.py`` checks the bug is still there (and
the fix still needed). Step Functions' own functions (``$uuid``, ``$parse``) are registered by
:func:`evaluate`.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock


@contextmanager
def faithful() -> Iterator[None]:
    """Make jsonata-python's ``%`` the JavaScript remainder (fmod), as on AWS."""
    import jsonata  # type: ignore[import-untyped]

    original = jsonata.Jsonata.evaluate_numeric_expression

    def numeric(self: Any, lhs: Any, rhs: Any, op: Any) -> Any:
        if op == "%" and lhs is not None and rhs is not None:
            from jsonata import utils

            if utils.Utils.is_numeric(lhs) and utils.Utils.is_numeric(rhs):
                if float(rhs) == 0:
                    raise ZeroDivisionError("float modulo")
                return utils.Utils.convert_number(math.fmod(float(lhs), float(rhs)))
        return original(self, lhs, rhs, op)

    with mock.patch.object(jsonata.Jsonata, "evaluate_numeric_expression", numeric):
        yield


def evaluate(expression: str) -> Any:
    """The value of a complete JSONata expression (no input), JSON-decoded."""
    import jsonata

    expr = jsonata.Jsonata(expression)
    expr.register_lambda("uuid", lambda: str(uuid.uuid4()))
    expr.register_lambda("parse", lambda text: json.loads(text))
    return json.loads(json.dumps(expr.evaluate(None)))
