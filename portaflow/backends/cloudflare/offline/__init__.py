"""The Cloudflare backend's offline executor: the generated workflow on workerd through Miniflare."""
