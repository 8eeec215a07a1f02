"""What the storage adapters of every package share: fsync and WAL helpers for SQLite files
and folders (``durable``), how PostgreSQL tables connect (``postgres_pool``), and the event
store's SQLite persistence module (``sqlite_events``)."""
