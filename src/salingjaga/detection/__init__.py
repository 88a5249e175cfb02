"""Automated detection: signals (text/, media/, behaviour/), routing, and the pipeline."""
