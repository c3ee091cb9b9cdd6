from portaflow import step


@step
def record(entries: list) -> int:
    return len(entries)
