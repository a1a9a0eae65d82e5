"""webcare.conversations."""
