from portaflow import Context, step, workflow


@step
def numbers() -> list:
    return [7, -7, 3, -3, 2.5]


@workflow
def arithmetic(ctx: Context) -> list:
    a, b, c, d, f = numbers()
    return [
        a % c,
        b % c,
        a % d,
        b % d,
        a // d,
        b // c,
        a / c * 3,
        f % 2,
        -f // 2,
        c**2,
        2**-1,
        a - b * c,
        (a + b) * c,
        abs(b),
        round(f),
        round(3.5),
        10 - 2 - 3,
    ]


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": [1, 2, -2, -1, -3, -3, 7.0, 0.5, -2.0, 9, 0.5, 28, 0, 7, 2, 4, 5],
    }
}
