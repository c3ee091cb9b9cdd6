"""A value returned from inside a `try` in a loop, where the loop goes on changing that list in place
after the `try`: what is returned cannot be seen changing (only a `finally` runs after a return), so it
compiles for targets that copy values and agrees (PFC041 refused it, issue 11)."""

from portaflow import Context, StepFailed, step, workflow


@step
def check(url: str) -> bool:
    if url.startswith("bad"):
        raise ConnectionError(f"cannot reach {url}")
    return url.endswith("ok")


@workflow
def crawl(ctx: Context, urls: list) -> dict:
    seen = []
    for url in urls:
        try:
            good = check(url)
            if good:
                return {"found": url, "seen": seen}
        except StepFailed:
            seen.append("!" + url)
        seen.append(url)
    return {"found": None, "seen": seen}


SCENARIO = {
    "input": {"urls": ["a", "bad-b", "c-ok", "d"]},
    "expect": {"status": "completed", "output": {"found": "c-ok", "seen": ["a", "!bad-b", "bad-b"]}},
}
