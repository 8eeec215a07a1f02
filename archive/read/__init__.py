"""The read side: rows written with the events, and the reads pages are built from.

``models`` holds the rows, what a save changes in them and the query port; ``models_sql`` the
statements SQLite and PostgreSQL share, and ``models_sqlite`` / ``models_postgres`` the
recorders that write rows in the events' transaction. ``side`` is the application's part that
passes rows with events and rebuilds them. ``public`` reads for visitors through the gate;
``page_dependencies`` and ``log_changes`` tell the page cache what a page was built from and
what the log touched since. It never imports search.
"""
