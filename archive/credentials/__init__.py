"""archive.credentials."""
