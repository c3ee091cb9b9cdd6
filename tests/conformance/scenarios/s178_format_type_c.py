"""The format type `c`, a character from its code point, laid out as a number is (right-aligned, `=` and
zero padding before it), with Python's OverflowError outside range(0x110000). JSONata has no character of a
code point: refused on Step Functions (PFC040)."""

from portaflow import Context, workflow


@workflow
def marks(ctx: Context, code: int, codes: list) -> dict:
    problem = ""
    try:
        problem = f"{-code:c}"
    except OverflowError as e:
        problem = str(e)
    return {
        "plain": f"{code:c}",
        "laid_out": [f"{code:5c}", f"{code:<5c}", f"{code:05c}", f"{code:*^5c}", format(code + 1, ">3c")],
        "astral": f"{0x1F600:c}",
        "any": [format(c, "c") for c in codes],
        "problem": problem,
    }


SCENARIO = {
    "input": {"code": 65, "codes": [97, True, 0x263A]},
    "refuses": {"aws": "PFC040"},
    "expect": {
        "status": "completed",
        "output": {
            "plain": "A",
            "laid_out": ["    A", "A    ", "0000A", "**A**", "  B"],
            "astral": "\U0001f600",
            "any": ["a", "\x01", "\u263a"],
            "problem": "%c arg not in range(0x110000)",
        },
    },
}
