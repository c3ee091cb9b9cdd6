"""Exception classes of the project, imported by the workflows next to it."""


class PolicyViolation(ValueError):
    """Defined in another module of the project: still a class the workflow's failure events may name."""
