"""Partner organisations and their trusted-flagger status, jurisdiction and members."""
