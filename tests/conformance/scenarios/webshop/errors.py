class PaymentError(Exception):
    pass


class CardDeclined(PaymentError):
    """Raised by billing.charge; the workflow catches it as a PaymentError."""
