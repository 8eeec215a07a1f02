"""What the storage adapters of every package share: fsync and WAL helpers for SQLite files
and folders (``durable``), and how PostgreSQL tables connect (``postgres_pool``)."""
