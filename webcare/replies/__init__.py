"""Canned responses with variables, and the team signature that every reply from the inbox carries."""
