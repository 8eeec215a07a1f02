"""archive.services."""
