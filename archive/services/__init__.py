"""The application services: the use cases, named as domain verbs.

``application.ExhibitionArchive`` is the eventsourcing application, the unit of work they all
share, and holds them, each a module named for its job: ``contributors`` (their records and
consent codes), ``cataloguing`` (items recorded and described), ``item_images`` (uploads and
renditions), ``consent`` (consent recorded, changed, withdrawn, made unrecoverable),
``curation`` (exhibitions), ``media_upkeep`` (orphans and fixity), ``self_service`` (what a
consent-code holder does) and ``access`` (curators, API tokens, sessions); beside them the
steps and reads that need the application: an erasure's rewrite of exhibitions' texts, the
curators' review of name-like words, the demo data. Nothing else in ``archive`` is allowed to
import this package except the read side and search, which read through the application.
"""
