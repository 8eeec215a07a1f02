"""archive.shredding."""
