"""webcare.customers."""
