"""The policy taxonomy, its DSA mapping and Indonesian legal grounds, loaded from data."""
