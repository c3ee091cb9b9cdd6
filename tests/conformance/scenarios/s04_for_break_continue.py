from portaflow import Context, step, workflow


@step
def check(word: str) -> bool:
    return word.startswith("a")


@workflow
def scan(ctx: Context, words: list) -> list:
    found = []
    for w in words:
        if w == "":
            continue
        if w == "stop":
            break
        ok = check(w)
        if ok:
            found.append(w)
    return found


SCENARIO = {
    "input": {"words": ["apple", "", "berry", "avocado", "stop", "apricot"]},
    "expect": {"status": "completed", "output": ["apple", "avocado"]},
}
