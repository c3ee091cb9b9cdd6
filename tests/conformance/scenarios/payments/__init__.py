"""Steps for s46_aliased_imports, imported under other names (not a scenario). `cards.charge` and
`wallet.charge` share their function name: they stay two steps (two Lambda functions on AWS)."""

from .ledger import record

__all__ = ["record"]
