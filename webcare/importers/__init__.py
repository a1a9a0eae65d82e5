"""webcare.importers."""
