from portaflow import Context, step, workflow


@step
def load() -> dict:
    return {"name": "Ann", "score": 0.5, "tags": ["a", "b"], "n": 3, "none": None, "ok": True}


@workflow
def render(ctx: Context) -> list:
    d = load()
    return [
        f"{d['name']} scored {d['score']}",
        f"tags={d['tags']!r} n={d['n'] + 1}",
        f"{d['none']} {d['ok']} {{literal}}",
        f"{d}",
        f"{1 / 4} {7 // 2} {2**10}",
        f"{d['score'] * 2469135:,} {d['n'] * 1000000:,} {-d['score'] * 4321:,}",
    ]


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": [
            "Ann scored 0.5",
            "tags=['a', 'b'] n=4",
            "None True {literal}",
            "{'name': 'Ann', 'score': 0.5, 'tags': ['a', 'b'], 'n': 3, 'none': None, 'ok': True}",
            "0.25 3 1024",
            "1,234,567.5 3,000,000 -2,160.5",
        ],
    }
}
