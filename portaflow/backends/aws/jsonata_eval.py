"""Evaluate JSONata offline with jsonata-python, as Step Functions evaluates it.

jsonata-python 0.7.1 differs from JSONata (JavaScript) in two places the lowering relies on: ``%``
truncates its result to an integer (``2.5 % 2`` gives 0, JavaScript gives 0.5), and ``$toMillis`` truncates
a float (``"...53.675Z"`` gives ``...53674``; JavaScript's ``Date`` is exact). :func:`faithful` fixes both
for the duration of a ``with`` block; ``tests/aws/test_moto_canaries.py`` checks the bugs are still there
(and the fixes still needed). Step Functions' own functions (``$uuid``, ``$parse``) are registered by
:func:`evaluate`.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
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

    to_millis = jsonata.Jsonata.static_frame.lookup("toMillis")
    original_to_millis = to_millis.method

    def exact_to_millis(timestamp: str | None, picture: str | None) -> int | None:
        if timestamp is None or picture is not None or timestamp.isdigit():
            return original_to_millis(timestamp, picture)  # type: ignore[no-any-return]
        when = datetime.fromisoformat(timestamp)
        when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)

    with (
        mock.patch.object(jsonata.Jsonata, "evaluate_numeric_expression", numeric),
        mock.patch.object(to_millis, "method", exact_to_millis),
    ):
        yield


def evaluate(expression: str) -> Any:
    """The value of a complete JSONata expression (no input), JSON-decoded."""
    import jsonata

    expr = jsonata.Jsonata(expression)
    expr.register_lambda("uuid", lambda: str(uuid.uuid4()))
    expr.register_lambda("parse", lambda text: json.loads(text))
    return json.loads(json.dumps(expr.evaluate(None)))
