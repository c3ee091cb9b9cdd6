from portaflow import step


@step
def charge(amount: int) -> str:
    return f"wallet:{amount}"
