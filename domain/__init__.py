"""The archive's domain: contributors, artworks, testimonies, exhibitions and consent.

Pure Python and ``eventsourcing.domain`` only: no I/O, no frameworks.
"""
