from portaflow import Context, step, workflow


@step
def research(topic: str) -> str:
    return f"notes on {topic}"


@workflow
def researcher(ctx: Context, topic: str) -> str:
    return research(topic)


@workflow
def survey(ctx: Context) -> list:
    a = ctx.start_workflow(researcher, "tides")
    b = ctx.start_workflow(researcher, "moons")
    first = a.result()
    second = b.result()
    return [first, second, a.run_id, b.run_id]


SCENARIO = {
    "workflow": "survey",
    "refuses": {"aws": "PFC081", "azure": "PFC082", "cloudflare": "PFC083"},
    "expect": {
        "status": "completed",
        "output": ["notes on tides", "notes on moons", "run-1-c0", "run-1-c1"],
    },
}
