from portaflow import Context, workflow
@workflow
def w(ctx: Context, a: list) -> list:
    out = []
    for x, y in a:
        try:
            q, r = divmod(x, y)
            out.append([q, r])
        except (ZeroDivisionError, TypeError) as e:
            out.append(f"{type(e).__name__}: {e}")
    out.append(divmod(7.5, 2.0))
    return out
SCENARIO = {"input": {"a": [[7, 2], [-7, 2], [7, -2], [1, 0], [1.5, 0], ["a", 1], [None, 2], [True, 3], [-7.5, 2], [7, 0.5]]}, "expect": {"status": "completed"}}
