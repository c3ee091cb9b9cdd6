"""``FILE[:WORKFLOW]``, the way ``portaflow run``, ``compile`` and ``graph`` name a workflow.

The workflow's name follows the last ``:``, unless that would leave no file (``:wf``), cut a Windows drive
(``C:\\flows\\a.py``) or give a name with a path separator in it (``/tmp/x:y/a.py`` is a file). A whole
reference that exists as a file is that file, even when it contains ``:``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WorkflowRef:
    """A parsed reference: ``file`` as written (for messages), ``workflow`` None when not given."""

    file: str
    workflow: str | None

    @property
    def path(self) -> Path:
        return Path(self.file)


def parse_ref(ref: str) -> WorkflowRef:
    """Split ``FILE[:WORKFLOW]`` (see the module's docstring for the rules)."""
    if ":" in ref and Path(ref).is_file():
        return WorkflowRef(ref, None)
    file, sep, name = ref.rpartition(":")
    if not sep or not file or "/" in name or "\\" in name or _is_drive(file):
        return WorkflowRef(ref, None)
    return WorkflowRef(file, name or None)


def split_ref(ref: str) -> tuple[Path, str | None]:
    """(file, workflow name or None) of ``FILE[:WORKFLOW]``."""
    parsed = parse_ref(ref)
    return parsed.path, parsed.workflow


def _is_drive(text: str) -> bool:
    return len(text) == 1 and text.isalpha()
