"""A package whose workflow (s45_package_relative_imports) imports its steps relatively (not a scenario)."""
