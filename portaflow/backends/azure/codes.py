"""The Azure backend's own diagnostic codes (documented in docs/compile-errors.md with the neutral ones)."""

from __future__ import annotations

from portaflow.backends.base import CodeInfo

CODES: dict[str, CodeInfo] = {
    "PFC050": CodeInfo("the target cannot express this (azure)"),
    "PFC082": CodeInfo("ctx.start_workflow (a child as a run of its own) is not compiled for Azure (azure)"),
}
