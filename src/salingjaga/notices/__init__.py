"""Notices: DSA Art. 16 notices, their evidence, intake, bulk files, feedback, the partner portal."""
