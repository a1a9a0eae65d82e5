"""webcare.demo."""
