"""archive.media_ports."""
