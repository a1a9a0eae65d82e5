"""webcare.ingest."""
