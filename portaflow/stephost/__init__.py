"""The step host: a Python HTTP app serving a workflow's ``@step`` functions to a target that runs the
workflow elsewhere (a Cloudflare Worker today), over signed requests.

    PORTAFLOW_STEP_SECRET=... python -m portaflow.stephost flow.py --port 8080

``POST /steps/<key>`` runs the step the compiled program knows as ``key`` with the body's arguments, bound
and answered exactly as the AWS Lambda runtime does (one shared core: ``call_step`` and ``step_error`` of
``portaflow_aws_runtime``): ``{"result": ...}`` or ``{"error": {"type", "message", "mro"}}``. Every request
carries ``X-Portaflow-Timestamp`` and ``X-Portaflow-Signature: v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>``;
one unsigned, stale (more than 300 s off) or replayed is refused with 401 before any step runs.
"""
