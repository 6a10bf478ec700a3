"""The HTTP API (FastAPI) for product configurators and the web page."""
