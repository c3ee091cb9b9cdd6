"""Helpers calling helpers, imported from a project module and called by name or as `module.helper(...)`,
with keyword-only and default arguments (the default a module constant of the helper's own module), a
helper called in a loop (each call its own locals), a helper that calls a step, and one handed the
Context (`ctx.sleep` inside it is the workflow's)."""

import prompting
from prompting import shorten_all, summary_of, truncate

from portaflow import Context, step, workflow


@step
def score(word: str) -> int:
    return len(word)


def best(words):
    top = None
    for w in words:
        s = score(w)
        if top is None or s > top[1]:
            top = [w, s]
    return top


def pause_then(ctx, label):
    ctx.sleep(5)
    return f"{label} after a pause"


@workflow
def nested_helpers(ctx: Context, words: list) -> dict:
    short = []
    for w in words:
        t = truncate(w)
        short.append(t)
    widths = shorten_all(words, width=5)
    top = best(words)
    summary = summary_of("a long text to summarize")
    paused = pause_then(ctx, "done")
    dotted = [prompting.truncate("abcdefgh", 4), len(prompting.truncate("abcdefgh"))]
    return {
        "short": short,
        "widths": widths,
        "top": top,
        "summary": summary,
        "paused": paused,
        "dotted": dotted,
    }


SCENARIO = {
    "input": {"words": ["ab", "abcdef", "abcd"]},
    "expect": {
        "status": "completed",
        "output": {
            "short": ["ab", "abc...", "abc..."],
            "widths": ["ab", "abcde...", "abcd"],
            "top": ["abcdef", 6],
            "summary": "a long...",
            "paused": "done after a pause",
            "dotted": ["abcd...", 6],
        },
    },
}
