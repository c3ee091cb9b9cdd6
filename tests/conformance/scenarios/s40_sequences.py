from portaflow import Context, step, workflow


@step
def load() -> dict:
    return {"word": "portaflow", "nums": [3, 1, 4, 1, 5, 9, 2, 6], "meta": {"a": 1}}


@workflow
def sequences(ctx: Context) -> dict:
    d = load()
    w = d["word"]
    nums = d["nums"]
    letters = [c for c in w if c not in "aeiou"]
    i = 0
    while i < len(nums) and nums[i] != 5:
        i += 1
    return {
        "slice": nums[2:5],
        "neg": nums[-2:],
        "head": w[:4],
        "tail": w[-4:],
        "mid": w[2:-2],
        "letters": "".join(letters),
        "found_at": i,
        "has_a": "a" in d["meta"],
        "no_b": "b" not in d["meta"],
        "evens": [n for n in nums if n % 2 == 0],
        "idx": [i2 for i2, n in enumerate(nums) if n == 1],
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "slice": [4, 1, 5],
            "neg": [2, 6],
            "head": "port",
            "tail": "flow",
            "mid": "rtafl",
            "letters": "prtflw",
            "found_at": 4,
            "has_a": True,
            "no_b": True,
            "evens": [4, 2, 6],
            "idx": [1, 3],
        },
    }
}
