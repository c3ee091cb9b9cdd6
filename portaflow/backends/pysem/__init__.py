"""Python's semantics, described once for every backend whose target language is not Python.

A lowering to JSONata (AWS), GCP Workflows expressions or TypeScript (Cloudflare) must give Python's result
(value, exception type and message) or be refused at compile time. What every such lowering has to keep is
listed in docs/semantics.md ("Python semantics on every target"); this package holds what checks it, for any
evaluator:

- :mod:`.oracle`: CPython as the oracle (the value or the exception an expression gives), the JSON
  comparison a target's result is judged by, and the IR of one expression over typed parameters;
- :mod:`.forms`: the expression forms, grouped by the rule they exercise;
- :mod:`.vectors`: fixed environments that hit the edge of each rule, crossed with the forms: shared test
  vectors (expression, names, Python's result) any backend's evaluator runs deterministically;
- :mod:`.strategies`: hypothesis strategies of random values and expressions, for differential tests
  (imports hypothesis, a test extra).
"""
