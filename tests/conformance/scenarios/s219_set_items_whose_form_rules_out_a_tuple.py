"""A set in a module whose workflows keep tuples: items whose expression cannot give a tuple though their
operands' types are unknown (`x % 2`, `a - b`, `p["name"].split()[0]`) make the set on every target; the
targets whose tuples are lists refuse only items that may be tuples (PFC040, PFC060)."""

from portaflow import Context, workflow


@workflow
def kinds(ctx: Context, people: list, xs: list) -> dict:
    pairs = [(p["name"], p["team"]) for p in people]  # a tuple kept: sets must know their items
    first_names = sorted({p["name"].split()[0] for p in people})
    parities = len({x % 2 for x in xs})
    gaps = sorted({xs[i + 1] - xs[i] for i in range(len(xs) - 1)})
    return {"pairs": len(pairs), "first": first_names, "parities": parities, "gaps": gaps}


SCENARIO = {
    "input": {
        "people": [
            {"name": "Ada Lovelace", "team": "a"},
            {"name": "Alan Turing", "team": "b"},
            {"name": "Ada Byron", "team": "a"},
        ],
        "xs": [1, 4, 6, 9],
    },
    "expect": {
        "status": "completed",
        "output": {"pairs": 3, "first": ["Ada", "Alan"], "parities": 2, "gaps": [2, 3]},
    },
}
