"""Cases, the review queue, decisions and their statements of reasons, appeals, notifications."""
