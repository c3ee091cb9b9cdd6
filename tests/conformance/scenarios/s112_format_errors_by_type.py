"""A spec applied to values whose type is known only at run time (a step's result): each target raises the
exception Python raises for the value's type, with CPython's message - ValueError for a str given a number's
spec or a sign, for a float given an int's type, TypeError for None or a list given any spec - caught by
`except`, and formats the values it takes (a bool as an int)."""

from portaflow import Context, step, workflow


@step
def fetch() -> list:
    return ["north", 12.5, None, [1, 2], True, 48879]


@workflow
def report(ctx: Context) -> list:
    values = fetch()
    out = []
    for value in values:
        for i in range(5):  # the specs are static: one call each
            try:
                if i == 0:
                    text = format(value, "d")
                elif i == 1:
                    text = f"{value:+}"
                elif i == 2:
                    text = "{:x}".format(value)  # noqa: UP032 (str.format is what this checks)
                elif i == 3:
                    text = format(value, ">6")
                else:
                    text = f"{value:,.1f}"
            except ValueError as e:
                text = "ValueError: " + str(e)
            except TypeError as e:
                text = "TypeError: " + str(e)
            out.append(text)
    out.append("{:^9}|{!r:>9}".format("mid", "quoted"))
    return out


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": [
            "ValueError: Unknown format code 'd' for object of type 'str'",
            "ValueError: Sign not allowed in string format specifier",
            "ValueError: Unknown format code 'x' for object of type 'str'",
            " north",
            "ValueError: Unknown format code 'f' for object of type 'str'",
            "ValueError: Unknown format code 'd' for object of type 'float'",
            "+12.5",
            "ValueError: Unknown format code 'x' for object of type 'float'",
            "  12.5",
            "12.5",
            "TypeError: unsupported format string passed to NoneType.__format__",
            "TypeError: unsupported format string passed to NoneType.__format__",
            "TypeError: unsupported format string passed to NoneType.__format__",
            "TypeError: unsupported format string passed to NoneType.__format__",
            "TypeError: unsupported format string passed to NoneType.__format__",
            "TypeError: unsupported format string passed to list.__format__",
            "TypeError: unsupported format string passed to list.__format__",
            "TypeError: unsupported format string passed to list.__format__",
            "TypeError: unsupported format string passed to list.__format__",
            "TypeError: unsupported format string passed to list.__format__",
            "1",
            "+1",
            "1",
            "     1",
            "1.0",
            "48879",
            "+48879",
            "beef",
            " 48879",
            "48,879.0",
            "   mid   | 'quoted'",
        ],
    }
}
