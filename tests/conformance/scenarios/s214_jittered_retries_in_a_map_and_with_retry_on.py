"""Jittered retries (RetryPolicy(jitter=...)) of a step mapped over items, of a step in a map item's child
workflow, and of steps whose policy lists retry_on or non_retryable: each item's attempts wait their own
delays (from the item's key and the attempt), an error retry_on does not name fails at once, a
non_retryable one too; an error of the last attempt is the StepFailed the workflow catches, with its
attempt count."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

ATTEMPTS: dict[str, int] = {}


class RateLimited(Exception):
    pass


class Forbidden(Exception):
    pass


def _count(key: str) -> int:
    ATTEMPTS[key] = ATTEMPTS.get(key, 0) + 1
    return ATTEMPTS[key]


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s", backoff=2.5, jitter=0.5))
def fetch(url: str, idempotency_key: str) -> str:
    if url != "ok.example" and _count(idempotency_key) <= 2:
        raise ConnectionError(f"{url}: reset")
    return url.upper()


@step(retry=RetryPolicy(max_attempts=4, initial_interval="2s", jitter="full", retry_on=[RateLimited]))
def ask_model(prompt: str, idempotency_key: str) -> str:
    n = _count(idempotency_key)
    if prompt == "forbidden":
        raise Forbidden("no access")
    if n <= 3:
        raise RateLimited(f"slow down ({n})")
    return f"answer to {prompt}"


@step(retry=RetryPolicy(max_attempts=3, jitter="full", non_retryable=[Forbidden]))
def publish(text: str) -> str:
    raise Forbidden(f"cannot publish {text}")


@workflow
def summarise(ctx: Context, url: str) -> str:
    page = fetch(url + "/about")
    return page.lower()


@workflow
def research(ctx: Context, urls: list) -> dict:
    pages = ctx.map(fetch, urls, max_concurrency=2)
    abouts = ctx.map(summarise, urls[:2])
    answers = []
    for prompt in ["why", "forbidden"]:
        try:
            answers.append(ask_model(prompt))
        except StepFailed as e:
            answers.append(f"{e.type} after {e.attempts}: {e.message}")
    try:
        published = publish(pages[0])
    except StepFailed as e:
        published = f"{e.type} after {e.attempts}"
    return {"pages": pages, "abouts": abouts, "answers": answers, "published": published}


SCENARIO = {
    "input": {"urls": ["a.example", "ok.example", "b.example"]},
    "run_id": "research-3",
    "expect": {
        "status": "completed",
        "output": {
            "pages": ["A.EXAMPLE", "OK.EXAMPLE", "B.EXAMPLE"],
            "abouts": ["a.example/about", "ok.example/about"],
            "answers": ["answer to why", "Forbidden after 1: no access"],
            "published": "Forbidden after 1",
        },
    },
}
