"""The engine's query tree: what a parsed query may ask, and nothing an index adapter adds.

An adapter translates its parser's output into these nodes; whatever has no node here becomes
plain words (:class:`Term`) before it reaches the engine, so the engine is the only evaluator.
Every node is immutable; ``boost`` multiplies the node's score.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """Documents holding ``text`` (an index term, already analysed) in ``field``."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Documents holding a term of ``field`` starting with ``text`` (the first
    ``max_prefix_terms`` such terms in alphabetical order), scored as their sum."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Wildcard:
    """Documents holding a term of ``field`` that matches ``pattern`` (``*``: any run of
    characters, ``?``: one character), scored as the sum of the matching terms."""

    field: str
    pattern: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Documents holding ``words`` at consecutive positions of ``field``, scored as the sum of
    the words' scores."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class And:
    """Documents matching every part; scores add up."""

    parts: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Documents matching any part; the scores of the parts a document matches add up."""

    parts: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AndNot:
    """Documents of ``match`` that ``excluded`` does not match."""

    match: Node
    excluded: Node
    boost: float = 1.0


@dataclass(frozen=True)
class AndMaybe:
    """Documents of ``required``; ``optional`` adds its score where it matches too."""

    required: Node
    optional: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    """Every document ``excluded`` does not match, each scoring ``boost`` (as Whoosh's ``Not``)."""

    excluded: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Nothing:
    """Matches no document (a query of stop words only)."""


Node = Term | Prefix | Wildcard | Phrase | And | Or | AndNot | AndMaybe | Not | Nothing
