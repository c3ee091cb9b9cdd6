"""An LLM agent's loop as agents are written: a model step proposes tool calls, plain helpers parse its
reply and build the messages, an imported table of tools dispatches each call (`TOOLS[name](**args)`), the
table's names are shown to the model (`sorted(TOOLS)`), and a tool the model invents is answered with the
KeyError's message instead of failing the run."""

from agent_tools import TOOLS

from portaflow import Context, step, workflow


@step
def model(messages: list, tools: list) -> dict:
    calls = [m for m in messages if m["role"] == "tool"]
    if len(calls) == 0:
        return {"tool": "lookup_order", "args": {"order_id": "A1"}}
    if len(calls) == 1:
        return {"tool": "teleport", "args": {}}
    if len(calls) == 2:
        return {"tool": "refund", "args": {"order_id": "A1", "amount": 5}}
    return {"answer": f"done after {len(calls)} tool calls; tools were {', '.join(tools)}"}


def message(role, content):
    return {"role": role, "content": content}


def wants_tool(reply):
    return "tool" in reply and reply["tool"] is not None


def run_tool(name, args):
    try:
        result = TOOLS[name](**args)
    except KeyError as e:
        return f"unknown tool {e}; use one of {sorted(TOOLS)}"
    return result


@workflow
def agent(ctx: Context, question: str, max_turns: int = 6) -> dict:
    messages = [message("user", question)]
    for turn in range(max_turns):
        reply = model(messages, sorted(TOOLS))
        if not wants_tool(reply):
            return {"answer": reply["answer"], "turns": turn + 1, "messages": len(messages)}
        result = run_tool(reply["tool"], reply["args"])
        messages.append(message("tool", result))
    return {"answer": None, "turns": max_turns, "messages": len(messages)}


SCENARIO = {
    "input": {"question": "where is my order?"},
    "expect": {
        "status": "completed",
        "output": {
            "answer": "done after 3 tool calls; tools were lookup_order, refund",
            "turns": 4,
            "messages": 4,
        },
    },
}
