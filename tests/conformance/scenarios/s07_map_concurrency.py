from portaflow import Context, step, workflow


@step
def fetch(url: str) -> dict:
    return {"url": url, "size": len(url)}


@workflow
def crawl(ctx: Context, urls: list) -> dict:
    pages = ctx.map(fetch, urls, max_concurrency=2)
    return {"n": len(pages), "sizes": [p["size"] for p in pages]}


SCENARIO = {
    "input": {"urls": ["a", "bb", "ccc", "dddd", "eeeee"]},
    "expect": {"status": "completed", "output": {"n": 5, "sizes": [1, 2, 3, 4, 5]}},
}
