"""``portaflow ui``: a local web dashboard over a local engine's database: the runs, each run's timeline
and graph (updated live), and an inbox of the runs waiting for an event, to approve, reject or answer.

Starlette, uvicorn and jinja2 are imported by the command when it runs (``portaflow.ui.cli``), never by
``portaflow --help``; ``create_app`` is in ``portaflow.ui.app``. docs/ui.md says what each page shows.
"""
