"""The consent gate: what a visitor may see of an item or an exhibition, on a given day.

``rules`` decides (scopes, expiry, credit, which names a text loses), ``name_filter`` removes
withheld names and redacted spans from text, ``visibility`` is the one visitor projection
(``VisibleItem``, ``VisibleExhibition``) that every page, API answer, search document and hit
is built from, and ``common_words`` tells a name-like word from an ordinary one. Pure
functions over domain values: the gate reads nothing itself and imports no other package of
``archive``.
"""
