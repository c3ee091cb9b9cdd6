"""Text as Python reads and writes it: whitespace is Python's (str.isspace, not JavaScript's \\s); int() and
float() take signs, underscores and padding (whitespace but U+001C-U+001F); json.dumps escapes non-ASCII
(ensure_ascii); repr() escapes unprintable characters."""

import json

from portaflow import Context, step, workflow


@step
def raw() -> dict:
    return {
        "padded": "\x1c\u00a0 12 \u3000",
        "number": "\x85\u00a0 12 \u3000",
        "bom": "\ufeffx",
        "numbers": [" +1_000 ", "-07", "\t.5 ", "5.", "-1.5e3", "+2"],
        "name": "Zo\u00eb \U0001f600",
        "odd": "a\x00\u2028\ufeff\u00ad",
    }


@workflow
def text_io(ctx: Context) -> dict:
    r = raw()
    nums = r["numbers"]
    return {
        "strip": [r["padded"].strip(), r["padded"].split(), r["bom"].strip(), r["padded"].lstrip()],
        "int": [int(r["number"]), int(nums[0]), int(nums[1]), int(nums[5])],
        "float": [float(nums[2]), float(nums[3]), float(nums[4]), float(r["number"])],
        "json": json.dumps({"name": r["name"]}),
        "repr": [str([r["odd"]]), f"{r['name']!r}"],
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "strip": ["12", ["12"], "\ufeffx", "12 \u3000"],
            "int": [12, 1000, -7, 2],
            "float": [0.5, 5.0, -1500.0, 12.0],
            "json": '{"name": "Zo\\u00eb \\ud83d\\ude00"}',
            "repr": ["['a\\x00\\u2028\\ufeff\\xad']", "'Zo\u00eb \U0001f600'"],
        },
    }
}
