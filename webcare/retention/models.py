"""Models of the retention app (none yet)."""
