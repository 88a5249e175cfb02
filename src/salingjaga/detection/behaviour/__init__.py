"""Behaviour signals: near-duplicate reposts, scam and fundraising patterns, coordination."""
