"""The Azure Durable Functions backend: see its README.md for what lives where."""
