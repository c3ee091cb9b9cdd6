"""Issue 11: divmod(a, b) as Python's (a // b, a % b) (floor division, the remainder's sign the divisor's),
unpacked or kept whole, with divmod's own messages: "integer division or modulo by zero", "float
divmod()", "unsupported operand type(s) for divmod(): 'str' and 'int'"."""

from portaflow import Context, workflow


@workflow
def split(ctx: Context, pairs: list, seconds: int) -> dict:
    out = []
    for x, y in pairs:
        try:
            q, r = divmod(x, y)
            out.append([q, r])
        except (ZeroDivisionError, TypeError) as e:
            out.append(f"{type(e).__name__}: {e}")
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return {"out": out, "clock": f"{hours}:{minutes:02d}:{secs:02d}", "whole": divmod(-7, 2)}


SCENARIO = {
    "workflow": "split",
    "input": {
        "pairs": [[7, 2], [-7, 2], [7, -2], [True, 3], [1, 0], [1.5, 0], ["a", 1], [None, 2], [-7.5, 2]],
        "seconds": 7384,
    },
    "expect": {
        "status": "completed",
        "output": {
            "out": [
                [3, 1],
                [-4, 1],
                [-4, -1],
                [0, 1],
                "ZeroDivisionError: integer division or modulo by zero",
                "ZeroDivisionError: float divmod()",
                "TypeError: unsupported operand type(s) for divmod(): 'str' and 'int'",
                "TypeError: unsupported operand type(s) for divmod(): 'NoneType' and 'int'",
                [-4.0, 0.5],
            ],
            "clock": "2:03:04",
            "whole": [-4, 1],
        },
    },
}
