"""Election-week simulation: the real services in virtual time (``salingjaga simulate``)."""
