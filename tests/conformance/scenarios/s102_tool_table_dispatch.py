"""An agent's tool loop over a module-level table of steps: the table introspected (`name in TOOLS`,
`sorted(TOOLS)`, `TOOLS.keys()`, `len(TOOLS)`, iteration), each call dispatched on a name known only at run
time with `TOOLS[name](**args)`, and an unknown tool's KeyError (Python's message) caught by the workflow."""

from portaflow import Context, step, workflow


@step
def search(query: str) -> str:
    return f"results for {query}"


@step
def add(a: int, b: int) -> int:
    return a + b


TOOLS = {"search": search, "add": add}


@workflow
def tool_loop(ctx: Context, calls: list) -> dict:
    results = []
    for call in calls:
        name = call["tool"]
        if name not in TOOLS and not name.startswith("x"):
            results.append({"skipped": name, "known": sorted(TOOLS)})
            continue
        try:
            out = TOOLS[name](**call["args"])
            results.append({"tool": name, "out": out})
        except KeyError as e:
            results.append({"unknown": str(e)})
    return {
        "results": results,
        "tools": list(TOOLS.keys()),
        "count": len(TOOLS),
        "upper": [t.upper() for t in TOOLS],
        "has_add": "add" in TOOLS,
    }


SCENARIO = {
    "input": {
        "calls": [
            {"tool": "add", "args": {"a": 2, "b": 3}},
            {"tool": "search", "args": {"query": "durable"}},
            {"tool": "weather", "args": {}},
            {"tool": "xray", "args": {}},
        ]
    },
    "expect": {
        "status": "completed",
        "output": {
            "results": [
                {"tool": "add", "out": 5},
                {"tool": "search", "out": "results for durable"},
                {"skipped": "weather", "known": ["add", "search"]},
                {"unknown": "'xray'"},
            ],
            "tools": ["search", "add"],
            "count": 2,
            "upper": ["SEARCH", "ADD"],
            "has_add": True,
        },
    },
}
