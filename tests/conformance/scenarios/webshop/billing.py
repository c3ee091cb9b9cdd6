from portaflow import RetryPolicy, step

from .errors import CardDeclined

NO_RETRY_ON_DECLINE = RetryPolicy(max_attempts=3, initial_interval="1s", non_retryable=[CardDeclined])


@step(retry=NO_RETRY_ON_DECLINE)
def charge(amount: int, limit: int, idempotency_key: str) -> dict:
    if amount > limit:
        raise CardDeclined(f"{amount} is over the card's limit of {limit}")
    return {"charged": amount, "key": idempotency_key.split(":", 1)[1]}
