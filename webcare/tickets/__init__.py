"""webcare.tickets."""
