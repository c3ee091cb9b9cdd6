from portaflow import Context, step, workflow


@step
def text() -> str:
    return "  Hello, World  "


@workflow
def strings(ctx: Context) -> list:
    t = text()
    s = t.strip()
    words = s.split(", ")
    return [
        s.lower(),
        s.upper(),
        words,
        "-".join(words),
        s.startswith("Hell"),
        s.endswith("x"),
        s.replace("l", "L"),
        t.lstrip(),
        t.rstrip(),
        ["a", "b"],
        len(s),
        s[0],
        s[-5:],
        s[:5],
        "World" in s,
        "lo" + ", " + "x" * 3,
        [t.strip(" Hd"), t.lstrip(" H"), t.rstrip("d "), "--ab-c--".strip("-"), s.strip("")],
    ]


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": [
            "hello, world",
            "HELLO, WORLD",
            ["Hello", "World"],
            "Hello-World",
            True,
            False,
            "HeLLo, WorLd",
            "Hello, World  ",
            "  Hello, World",
            ["a", "b"],
            12,
            "H",
            "World",
            "Hello",
            True,
            "lo, xxx",
            ["ello, Worl", "ello, World  ", "  Hello, Worl", "ab-c", "Hello, World"],
        ],
    }
}
