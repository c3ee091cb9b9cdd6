from portaflow import Context, step, workflow


@step
def mul(a: int, b: int) -> int:
    return a * b


@workflow
def table(ctx: Context, n: int) -> list:
    rows = []
    for i in range(1, n + 1):
        row = []
        j = 1
        while j <= n:
            if j > i:
                break
            p = mul(i, j)
            row.append(p)
            j += 1
        rows.append(row)
    return rows


SCENARIO = {"input": {"n": 3}, "expect": {"status": "completed", "output": [[1], [2, 4], [3, 6, 9]]}}
