"""``ctx.wait_for_event``'s options in the IR: raise_on_timeout and label are literals a target builds the
wait from; a handler of EventFailed or TimeoutError sees the classes a wait may raise."""

from __future__ import annotations

from portaflow.compiler import compile_source, ir

HEAD = "from portaflow import workflow, Context, EventFailed, EventTimeout\n\n"


def _waits(body: str) -> list[ir.WaitForEvent]:
    res = compile_source(HEAD + "@workflow\ndef w(ctx: Context, x: str):\n" + body, "wf.py")
    assert res.diagnostics == [] and res.program is not None, res.diagnostics
    return [s for s in ir.walk_stmts(res.program.workflows["w"].body) if isinstance(s, ir.WaitForEvent)]


def _codes(body: str) -> list[tuple[str, str]]:
    res = compile_source(HEAD + "@workflow\ndef w(ctx: Context, x: str):\n" + body, "wf.py")
    return [(d.code, d.message) for d in res.diagnostics]


def test_the_options_are_carried_and_left_out_of_the_json_when_unused() -> None:
    plain, timed, labelled = _waits(
        "    ctx.wait_for_event('a')\n"
        "    ctx.wait_for_event('a', timeout='1h', raise_on_timeout=True)\n"
        "    ctx.wait_for_event('a', label='finance sign-off')\n"
    )
    assert (plain.timeout_error, plain.label) == (None, None)
    assert "timeout_error" not in ir.to_json(plain) and "label" not in ir.to_json(plain)  # type: ignore[operator]
    assert timed.timeout_error == "EventTimeout" and labelled.label == "finance sign-off"
    assert ir.from_json(ir.to_json(timed)) == timed


def test_options_that_are_not_literals_are_refused() -> None:
    label = (
        "PFC030",
        "ctx.wait_for_event label must be a non-empty literal str, or an f-string with text of its own "
        "whose parts cannot raise",
    )
    assert _codes("    ctx.wait_for_event('a', label=x)\n") == [label]
    assert _codes("    ctx.wait_for_event('a', label=f'{x}')\n") == [label]  # may be empty
    assert _codes("    ctx.wait_for_event('a', label=f'item {x[0]}')\n") == [label]  # may raise
    assert _codes("    ctx.wait_for_event('a', label=f'item {x}')\n") == []
    assert _codes("    ctx.wait_for_event('a', timeout='1h', raise_on_timeout=x)\n") == [
        ("PFC030", "ctx.wait_for_event raise_on_timeout must be a literal bool")
    ]


def test_raise_on_timeout_needs_a_timeout_and_unknown_options_are_refused() -> None:
    assert _codes("    ctx.wait_for_event('a', raise_on_timeout=True)\n") == [
        ("PFC030", "ctx.wait_for_event raise_on_timeout=True needs a timeout")
    ]
    assert [c for c, _ in _codes("    ctx.wait_for_event('a', timeot='1h')\n")] == ["PFC030"]


def test_timeout_error_and_its_bases_catch_event_timeout() -> None:
    res = compile_source(
        HEAD + "@workflow\ndef w(ctx: Context):\n    try:\n        ctx.wait_for_event('a', timeout='1h',"
        " raise_on_timeout=True)\n    except OSError:\n        return 1\n    return 0\n",
        "wf.py",
    )
    assert res.program is not None
    (handler,) = next(s for s in res.program.workflows["w"].body if isinstance(s, ir.Try)).handlers
    assert "EventTimeout" in handler.matches


def test_a_timeout_computed_at_run_time_is_an_expression_of_the_wait() -> None:
    literal, computed, text, forever = _waits(
        "    ctx.wait_for_event('a', timeout=60 * 60)\n"
        "    ctx.wait_for_event('a', timeout=len(x) * 3600, raise_on_timeout=True)\n"
        "    ctx.wait_for_event('a', timeout=x)\n"
        "    ctx.wait_for_event('a', timeout=None)\n"
    )
    assert literal.timeout_seconds is None and literal.timeout is not None  # 60 * 60: an expression
    assert computed.timeout_seconds is None and computed.timeout is not None
    assert computed.timeout.ty == "int" and computed.timeout_error == "EventTimeout"
    assert isinstance(text.timeout, ir.Name) and text.timeout.id == "x"
    assert (forever.timeout_seconds, forever.timeout) == (None, None)
    assert "timeout" not in ir.to_json(forever)  # type: ignore[operator]
    assert ir.from_json(ir.to_json(computed)) == computed


def test_a_literal_timeout_is_still_folded_to_seconds() -> None:
    (w,) = _waits("    ctx.wait_for_event('a', timeout='1h30m')\n")
    assert (w.timeout_seconds, w.timeout) == (5400.0, None)


def test_a_timeout_that_cannot_be_a_duration_is_refused() -> None:
    assert _codes("    ctx.wait_for_event('a', timeout=[x])\n") == [
        (
            "PFC030",
            'ctx.wait_for_event needs a duration: a number of seconds, a string such as "5m" or a '
            "timedelta, not a list",
        )
    ]


def test_the_ir_version_is_7() -> None:
    res = compile_source(HEAD + "@workflow\ndef w(ctx: Context, x: str):\n    return 1\n", "wf.py")
    assert res.program is not None and res.program.ir_version == 7
