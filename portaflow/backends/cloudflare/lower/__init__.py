"""IR -> TypeScript: expressions (expr.py, on the py.ts runtime) and statements (workflow.py)."""
