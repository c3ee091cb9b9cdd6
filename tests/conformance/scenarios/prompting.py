"""Plain helpers imported by s103 (a project module: the compiler reads it, never imports it)."""

from portaflow import step

LIMIT = 3


@step
def summarize(text: str) -> str:
    return text[:10]


def truncate(text, width=LIMIT):
    if len(text) <= width:
        return text
    return text[:width] + "..."


def shorten_all(texts, *, width):
    out = []
    for t in texts:
        out.append(truncate(t, width))
    return out


def summary_of(text):
    s = summarize(text)  # a helper may call steps: they are statements of the workflow once inlined
    return truncate(s, width=6)
