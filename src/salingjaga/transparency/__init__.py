"""Transparency: period reports, per-partner reports, CSV/JSON/DSA exports and charts."""
