"""archive.read."""
