"""webcare.core."""
