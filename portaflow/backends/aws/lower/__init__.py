"""IR -> ASL states and JSONata expressions, with Python's semantics (see the backend README)."""
