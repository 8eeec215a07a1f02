"""The archive's application layer: one package per subsystem, importing only ``domain``.

``services`` (the use cases), ``gate`` (what a visitor may see), ``shredding`` (keys and
sealing), ``read`` (read models and visitors' reads), ``search``, ``media_ports``,
``credentials`` and ``storage``; ``config``, ``errors`` and ``history`` are shared by all of
them. The map, and the rules between the packages, are in docs/architecture.md.
"""
