from portaflow import Context, step, workflow


@step
def work(ok: bool) -> str:
    if not ok:
        raise RuntimeError("work failed")
    return "done"


@step
def cleanup(tag: str) -> str:
    return f"cleaned {tag}"


@workflow
def guarded(ctx: Context, ok: bool) -> dict:
    log = []
    try:
        r = work(ok)
        log.append(r)
    except RuntimeError as e:
        log.append(f"caught {e}")
    else:
        log.append("no error")
    finally:
        c = cleanup("x")
        log.append(c)
    return {"log": log}


SCENARIO = {
    "input": {"ok": False},
    "expect": {"status": "completed", "output": {"log": ["caught work failed", "cleaned x"]}},
}
