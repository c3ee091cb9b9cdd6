"""Tracebacks of failed step attempts and failed runs, in the form the history records them.

Only the user's frames are kept (portaflow's own and the thread machinery's are dropped: they say nothing
about the bug), at most ``MAX_FRAMES`` of them, the innermost, and at most ``MAX_TRACEBACK_CHARS``
characters, the end of the text (where the error is), so a deep recursion cannot bloat the database.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import threading
import traceback
from typing import Any

from portaflow.dsl.errors import StepFailed, error_info

MAX_FRAMES = 30
MAX_TRACEBACK_CHARS = 8192

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_MACHINERY = (
    os.path.dirname(os.path.abspath(concurrent.futures.__file__)) + os.sep,
    os.path.abspath(threading.__file__),
)


def _is_ours(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR) or path.startswith(_MACHINERY)


def user_site(depth: int = 1) -> str:
    """file:line of the innermost frame outside portaflow: the user's line that made the call."""
    frame = sys._getframe(depth)
    while frame is not None and _is_ours(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def format_traceback(exc: BaseException) -> str:
    """``exc``'s traceback as Python prints it, with the user's frames only, bounded (see the module)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_ours(f.filename)]
    cut = len(frames) - MAX_FRAMES
    lines = ["Traceback (most recent call last):\n"]
    if cut > 0:
        lines.append(f"  ... {cut} outer frame(s) left out\n")
        frames = frames[cut:]
    lines += traceback.StackSummary.from_list(frames).format()
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines)
    if len(text) > MAX_TRACEBACK_CHARS:
        keep = MAX_TRACEBACK_CHARS - 60
        text = f"... ({len(text) - keep} characters left out)\n" + text[-keep:]
    return text.rstrip("\n")


def last_frame(exc: BaseException) -> str | None:
    """file:line of the innermost user frame of ``exc``'s traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_ours(f.filename)]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


def run_error(exc: BaseException) -> dict[str, Any]:
    """The recorded error of a failed run: type, message, the workflow's traceback and the line that
    raised (``site``); for a step's failure also ``step``: its name, attempts, call site and traceback."""
    info = error_info(exc)
    out: dict[str, Any] = {"type": info["type"], "message": info["message"]}
    out["traceback"] = format_traceback(exc)
    site = last_frame(exc)
    if site is not None:
        out["site"] = site
    if isinstance(exc, StepFailed):
        step = {"name": exc.step, "attempts": exc.attempts, "site": exc.site, "traceback": exc.traceback}
        out["step"] = {k: v for k, v in step.items() if v is not None}
    return out
