"""The tools of s108's agent, a table of steps in a project module of its own."""

from portaflow import step


@step
def lookup_order(order_id: str) -> dict:
    return {"id": order_id, "status": "shipped"}


@step
def refund(order_id: str, amount: int) -> str:
    return f"refunded {amount} on {order_id}"


TOOLS = {"lookup_order": lookup_order, "refund": refund}
