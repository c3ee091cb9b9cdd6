from portaflow import Context, EventTimeout, step, workflow


@step
def check(x: int) -> int:
    return x


@workflow
def guarded(ctx: Context) -> list:
    """An error of a type known at compile time (a raise, a wait's EventTimeout) raised inside a try of a
    parallel branch goes to that branch's own handler, not to the fan-out's."""

    def raising() -> str:
        try:
            if check(1) == 1:
                raise ValueError("one")
            return "not raised"
        except ValueError as e:
            return f"caught {e}"

    def timing_out() -> str:
        try:
            ctx.wait_for_event("never", timeout="1h", raise_on_timeout=True)
            return "arrived"
        except EventTimeout:
            return "timed out"

    return ctx.parallel(raising, timing_out)


SCENARIO = {
    "actions": [["advance", "2h"]],
    "expect": {"status": "completed", "output": ["caught one", "timed out"]},
}
