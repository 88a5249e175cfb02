"""The content stream: the API appends items, workers scan them. In-process or Redis."""
