"""Content items and accounts taken in from the platform, and their moderation state."""
