"""The command line: `tco evaluate`, quotes, catalog, API keys, users, the server."""
