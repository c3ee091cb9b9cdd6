from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def a() -> str:
    return "a"


@step(retry=RetryPolicy(max_attempts=1))
def b() -> str:
    raise KeyError("b broke")


@step(retry=RetryPolicy(max_attempts=1))
def c() -> str:
    raise LookupError("c broke")


@workflow
def fan(ctx: Context) -> str:
    results = ctx.parallel(lambda: a(), lambda: b(), lambda: c())
    return "unreachable " + str(results)


SCENARIO = {"expect": {"status": "failed", "error": {"type": "KeyError", "message": "'b broke'"}}}
