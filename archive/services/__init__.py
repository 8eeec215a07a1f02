"""The application services: the use cases, named as domain verbs.

``application.ExhibitionArchive`` is the eventsourcing application and holds its collaborators,
``self_service`` (what a consent-code holder does) and ``access`` (curators, API tokens,
sessions); beside them the steps and reads that need the application: an erasure's rewrite of
exhibitions' texts, the curators' review of name-like words, the demo data. Nothing else in
``archive`` is allowed to import this package except the read side and search, which read
through the application.
"""
