"""Compile targets: one module folder per cloud engine (aws, azure, gcp, cloudflare), each the same shape."""
