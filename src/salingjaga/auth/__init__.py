"""Users, API keys, roles and the permission check every endpoint passes through."""
