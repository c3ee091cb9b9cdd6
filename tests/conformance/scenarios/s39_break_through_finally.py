from portaflow import Context, step, workflow


@step
def fetch(page: int) -> list:
    return [page] if page < 3 else []


@step
def close(page: int) -> int:
    return page


@workflow
def pages(ctx: Context) -> dict:
    got = []
    page = 0
    while True:
        try:
            rows = fetch(page)
            if not rows:
                break
            got = got + rows
        finally:
            close(page)
            page += 1
    return {"got": got, "page": page}


SCENARIO = {"expect": {"status": "completed", "output": {"got": [0, 1, 2], "page": 4}}}
