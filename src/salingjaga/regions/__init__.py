"""Provinces and regencies/cities (Kemendagri codes) and elections with their calendars."""
