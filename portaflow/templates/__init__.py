"""Jinja2 templates shared by every backend's generated project (a backend's own live in its folder)."""
