"""Live updates: a small append-only table of changes that the inbox streams to browsers (server-sent events)."""
