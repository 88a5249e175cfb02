"""Demo data: a small, plausible world so a newcomer sees the whole system working."""
