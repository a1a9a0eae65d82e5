"""Models of the access app (none yet)."""
