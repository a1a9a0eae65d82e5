"""Models of the gdpr app (none yet)."""
