from portaflow import Context, step, workflow


@step
def draft(topic: str) -> str:
    return f"a draft on {topic}"


@workflow
def writer(ctx: Context, topic: str) -> str:
    text = draft(topic)
    ctx.wait_for_event("edited", label="an editor's pass")
    return text


@workflow
def magazine(ctx: Context) -> str:
    return ctx.start_workflow(writer, "tides").result()


SCENARIO = {
    "workflow": "magazine",
    "refuses": {"cloudflare": "PFC083"},
    # nobody sends the child its event: the child waits for it, the parent for the child
    "expect": {
        "status": "waiting",
        "waiting_for": "~child:run-1-c0",
        "checks": {"children": {"run-1-c0": ("waiting", None)}},
    },
}
