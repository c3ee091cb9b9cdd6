"""The Cloudflare Workflows backend: IR -> a TypeScript Workers project (WorkflowEntrypoint per workflow)."""
