"""A helper that changes the list it is passed (an agent's `add_message(messages, ...)`): Python shares the
object, so the caller sees the change, on every target (the parameter is the caller's variable itself, so
Step Functions, which copies values, changes that variable); the list is then read by another helper. A
helper called inside parallel branches, a nested def's and a lambda (its step numbered in the branch)."""

from portaflow import Context, step, workflow


@step
def reply(n: int) -> str:
    return f"reply {n}"


def add_message(messages, role, text):
    messages.append({"role": role, "text": text})
    return len(messages)


def last_text(msgs):
    return msgs[-1]["text"] if msgs else ""


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
    return {"messages": messages, "count": count, "both": both, "last": last_text(messages)}


SCENARIO = {
    "input": {},
    "expect": {
        "status": "completed",
        "output": {
            "messages": [{"role": "user", "text": "hi"}, {"role": "assistant", "text": "hello"}],
            "count": 1,
            "both": ["REPLY 1", "REPLY 2", "REPLY 3"],
            "last": "hello",
        },
    },
}
