"""A helper that changes the list it is passed (an agent's `add_message(messages, ...)`): Python shares the
object, so the caller sees the change, as on the targets whose values are references; a target that copies
values (Step Functions) cannot share it and refuses (PFC041). A helper called inside parallel branches, a
nested def's and a lambda (its step numbered in the branch)."""

from portaflow import Context, step, workflow


@step
def reply(n: int) -> str:
    return f"reply {n}"


def add_message(messages, role, text):
    messages.append({"role": role, "text": text})
    return len(messages)


def answer(n):
    r = reply(n)
    return r.upper()


@workflow
def shared_list(ctx: Context) -> dict:
    messages = []
    count = add_message(messages, "user", "hi")
    add_message(messages, "assistant", "hello")

    def left() -> str:
        return answer(1)

    def right() -> str:
        return answer(2)

    both = ctx.parallel(left, right, lambda: answer(3))
    return {"messages": messages, "count": count, "both": both}


SCENARIO = {
    "input": {},
    "refuses": {"aws": "PFC041"},
    "expect": {
        "status": "completed",
        "output": {
            "messages": [{"role": "user", "text": "hi"}, {"role": "assistant", "text": "hello"}],
            "count": 1,
            "both": ["REPLY 1", "REPLY 2", "REPLY 3"],
        },
    },
}
