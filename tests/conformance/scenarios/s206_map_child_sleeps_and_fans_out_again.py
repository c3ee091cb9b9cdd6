"""ctx.map over a child workflow whose items sleep, loop over steps and fan out again with ctx.parallel
(no event waits: every target runs it); item i's calls are numbered under n.i. (issue 12)."""

from portaflow import Context, step, workflow


@step
def fetch(source: str, page: int) -> str:
    return f"{source}#{page}"


@step
def summarize(text: str) -> str:
    return text.upper()


@workflow
def crawl(ctx: Context, source: str, pages: int = 2) -> dict:
    ctx.sleep("30s")  # a polite pause before each source
    texts = []
    for page in range(pages):
        text = fetch(source, page)
        texts.append(text)
    first, last = ctx.parallel(lambda: summarize(texts[0]), lambda: summarize(texts[-1]))
    return {"source": source, "first": first, "last": last}


@workflow
def crawl_all(ctx: Context, sources: list) -> list:
    return ctx.map(crawl, sources, max_concurrency=2)


SCENARIO = {
    "input": {"sources": ["news", "blog", "wiki"]},
    "expect": {
        "status": "completed",
        "output": [
            {"source": "news", "first": "NEWS#0", "last": "NEWS#1"},
            {"source": "blog", "first": "BLOG#0", "last": "BLOG#1"},
            {"source": "wiki", "first": "WIKI#0", "last": "WIKI#1"},
        ],
    },
}
