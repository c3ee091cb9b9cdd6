"""A module of the app folder with module-level state: fresh in every host."""

CALLS = {"n": 0}


def bump() -> int:
    CALLS["n"] += 1
    return CALLS["n"]
