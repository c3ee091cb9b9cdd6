from portaflow import Context, RetryPolicy, StepFailed, step, workflow


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s"))
def fragile(x: int) -> int:
    raise OSError(f"disk {x} full")


@workflow
def generic(ctx: Context) -> dict:
    try:
        fragile(3)
    except StepFailed as e:
        return {"type": e.type, "message": str(e)}
    return {}


SCENARIO = {"expect": {"status": "completed", "output": {"type": "OSError", "message": "disk 3 full"}}}
