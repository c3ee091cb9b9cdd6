"""Jinja2 templates for the deploy files each compile target emits."""
