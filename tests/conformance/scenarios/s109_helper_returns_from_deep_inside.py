"""A helper's `return` from deep inside its control flow, straight-lined on every target: from a `while`
inside a `for` (both loops left), past `break` and `continue` of the helper's own loops, from a `try`'s
`else:` and from an `except` clause, from an `if` whose other branch falls through (the statements after it
run only when it did not return), and a helper called inside the caller's loop, which its `break`s and
`return`s never leave."""

from portaflow import Context, step, workflow


@step
def score(n: int) -> int:
    return n * 3


def find_pair(rows, total):
    for i, row in enumerate(rows):
        j = 0
        while j < len(row):
            if row[j] < 0:
                break
            if row[j] == 0:
                j += 1
                continue
            if row[j] + i == total:
                return [i, j]
            j += 1
    return None


def classify(text):
    try:
        n = int(text)
    except ValueError:
        if text == "":
            return "empty"
        return "word"
    else:
        if n < 0:
            return "negative"
    return "number"


def tally(xs):
    seen = 0
    for x in xs:
        if x > 10:
            if x > 100:
                return -1
            seen += 1  # a big one counts once more
        seen += x
    return seen


@workflow
def deep_returns(ctx: Context, rows: list) -> dict:
    scored = []
    for n in [1, 2, 3]:
        t = tally([n, 5])
        if t > 7:
            break
        s = score(t)
        scored.append(s)
    pair = find_pair(rows, 4)
    missing = find_pair(rows, 99)
    kinds = []
    for t in ["12", "-3", "", "abc"]:
        kinds.append(classify(t))
    tallies = []
    for xs in [[1, 2, 3], [5, 50], [5, 500, 1]]:
        tallies.append(tally(xs))
    return {"pair": pair, "missing": missing, "kinds": kinds, "tallies": tallies, "scored": scored}


SCENARIO = {
    "input": {"rows": [[0, 1, 9], [-1, 3], [2, 0, 3]]},
    "expect": {
        "status": "completed",
        "output": {
            "pair": [2, 0],
            "missing": None,
            "kinds": ["number", "negative", "empty", "word"],
            "tallies": [6, 56, -1],
            "scored": [18, 21],
        },
    },
}
