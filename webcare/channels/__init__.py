"""Channels: one connector per platform behind one small interface (base.py), the webhook endpoint, the pollers and
the outbound queue with its sender (docs/channels.md)."""
