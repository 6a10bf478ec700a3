"""Quoting: catalog, quote requests, pricing, the builder, versions and diffs."""
