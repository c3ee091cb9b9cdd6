"""isinstance(e, SomeError) of an error caught by `except ... as e`: matched as an except clause matches
(the error's classes, StepFailed for a failed step only), on every target, AWS included."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow


class Rejected(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=1))
def check(x: int) -> int:
    if x < 0:
        raise Rejected(f"{x} is negative")
    if x == 1:
        raise TimeoutError("too slow")
    return x


@workflow
def classify(ctx: Context, xs: list) -> list:
    kinds = []
    for x in xs:
        try:
            if x == 0:
                raise KeyError("zero")
            kinds.append(check(x))
        except Exception as e:
            kinds.append(
                [
                    isinstance(e, StepFailed),
                    isinstance(e, LookupError),
                    isinstance(e, (Rejected, OSError)),
                    isinstance(e, Exception),
                    isinstance(e, TimeoutError),
                ]
            )
    return kinds


SCENARIO = {
    "input": {"xs": [2, 0, -1, 1]},
    "expect": {
        "status": "completed",
        "output": [
            2,
            [False, True, False, True, False],
            [True, False, True, True, False],
            [True, False, True, True, True],
        ],
    },
}
