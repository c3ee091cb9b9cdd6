"""The Azure backend's own diagnostic codes (documented in docs/compile-errors.md with the neutral ones)."""

from __future__ import annotations

from portaflow.backends.base import CodeInfo

CODES: dict[str, CodeInfo] = {
    "PFC050": CodeInfo("the target cannot express this (azure)"),
    "PFC082": CodeInfo("a child run Azure cannot start or wait for as written (azure)"),
}
