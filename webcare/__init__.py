"""webcare: an open-source desk for customer service on social media."""

__version__ = "0.1.0"
