from portaflow import RetryPolicy, step


@step(retry=RetryPolicy(max_attempts=2, initial_interval="3s"), timeout="1m")
def charge(amount: int) -> str:
    return f"card:{amount}"
