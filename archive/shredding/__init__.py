"""Crypto-shredding: every subject's data key, and what is sealed under it.

The master key and AES-256-GCM (``crypto``), the key table port and its SQLite and PostgreSQL
adapters (``keystore*``), the event store's seal of its key table (``key_seal``), and the
transcodings that seal personal values on their way into events, snapshots and read models
(``transcodings``). Shredding a key is what makes a withdrawal real; this package knows keys,
not items, pages or search.
"""
