"""Issue 11: json.dumps with sort_keys (code point order, nested), indent (an int, a str, 0: newlines only;
none inside an empty container), separators and ensure_ascii=False, byte for byte as Python writes it, as
prompts and tool calls use it."""

import json

from portaflow import Context, workflow


@workflow
def dumps(ctx: Context, v: dict) -> list:
    return [
        json.dumps(v, sort_keys=True),
        json.dumps(v, indent=2),
        json.dumps(v, indent=2, sort_keys=True),
        json.dumps(v, separators=(",", ":")),
        json.dumps(v, ensure_ascii=False),
        json.dumps(v, indent="\t", separators=(", ", " = ")),
        json.dumps([], indent=0),
        json.dumps({"a": {}, "b": [[]]}, indent=0),
        json.dumps(v["n"], indent=1),
    ]


SCENARIO = {
    "workflow": "dumps",
    "input": {
        "v": {
            "zeta": 1,
            "alpha": [1, 2.5, {"é": "naïve ☃ 😀", "B": None}],
            "Émile": True,
            "a\nb": [],
            "n": {},
            "\U0001f600": 0,
            "\uffff": 1,
        }
    },
    "expect": {"status": "completed"},
}
