"""Steps of s44_sibling_module_steps, in a module of their own next to the workflow (not a scenario)."""

from portaflow import RetryPolicy, step

PATIENT = RetryPolicy(max_attempts=4, initial_interval="2s", backoff=3.0, max_interval="10s")

CATALOG = {"lamp": 40, "bulb": 5, "desk": 120}
ORDERS = {"o-1": {"id": "o-1", "items": ["lamp", "bulb", "bulb"]}}
ATTEMPTS: dict[str, int] = {}


@step(timeout="30s")
def lookup_order(order_id: str) -> dict:
    return ORDERS[order_id]


@step
def price_of(item: str) -> int:
    return CATALOG[item]


@step(retry=PATIENT)
def reserve_stock(items: list, idempotency_key: str) -> int:
    """The warehouse is busy twice, then reserves every item."""
    ATTEMPTS[idempotency_key] = ATTEMPTS.get(idempotency_key, 0) + 1
    if ATTEMPTS[idempotency_key] < 3:
        raise ConnectionError(f"warehouse busy (attempt {ATTEMPTS[idempotency_key]})")
    return len(items)


@step(name="label")
def format_total(total: int) -> str:
    return f"${total}.00"


def not_a_step(x: int) -> int:
    return x
