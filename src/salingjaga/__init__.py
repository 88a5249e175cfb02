"""SalingJaga: an open election-integrity platform."""

__version__ = "0.1.0"
