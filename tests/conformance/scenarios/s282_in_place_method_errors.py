"""Issue 11: the in-place methods raise Python's exception type and message on every target, each caught
by its except clause: a method the value's type lacks (AttributeError), pop from an empty list and out of
range (IndexError), remove of a missing item (ValueError), a missing key (KeyError), an index that is not an
int (TypeError), del on a str."""

from portaflow import Context, workflow


@workflow
def errors(ctx: Context, data: dict) -> list:
    out = []
    for case in range(9):
        xs = []
        try:
            if case == 0:
                data["name"].append(1)
            elif case == 1:
                xs.pop()
            elif case == 2:
                data["nums"].pop(7)
            elif case == 3:
                data["nums"].remove(42)
            elif case == 4:
                data.pop("absent")
            elif case == 5:
                data["nums"].insert("0", 1)
            elif case == 6:
                data["count"].sort()
            elif case == 7:
                del data["name"][0]
            else:
                data["nothing"].setdefault("k", 1)
            out.append("no error")
        except (AttributeError, IndexError, ValueError, KeyError, TypeError) as e:
            out.append(f"{type(e).__name__}: {e}")
    return out


SCENARIO = {
    "workflow": "errors",
    "input": {"data": {"name": "ada", "nums": [1, 2], "count": 3, "nothing": None}},
    "expect": {
        "status": "completed",
        "output": [
            "AttributeError: 'str' object has no attribute 'append'",
            "IndexError: pop from empty list",
            "IndexError: pop index out of range",
            "ValueError: list.remove(x): x not in list",
            "KeyError: 'absent'",
            "TypeError: 'str' object cannot be interpreted as an integer",
            "AttributeError: 'int' object has no attribute 'sort'",
            "TypeError: 'str' object doesn't support item deletion",
            "AttributeError: 'NoneType' object has no attribute 'setdefault'",
        ],
    },
}
