"""archive.gate."""
