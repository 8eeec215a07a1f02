"""A visitor's query text parsed by Whoosh and translated into the engine's query tree.

Whoosh's parser reads words, quotes, brackets, AND/OR/NOT/ANDNOT/ANDMAYBE, prefixes and
wildcards and boosts; field names, ranges and ``*:*`` are turned off. Its output becomes
:mod:`archive.search.engine.query` nodes; a node the engine has none for becomes its plain
words (and the visitor is told the query was simplified). Text whose syntax cannot be
trusted as written (unbalanced quotes or brackets, dangling operators) is searched as its
plain words from the start.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from whoosh import qparser
from whoosh import query as wq

from archive.search import MAX_QUERY_CHARS, Notice
from archive.search.engine import query as q

MIN_PREFIX_CHARS = 3  # shorter Kazakh query words match exactly (a 1-2 letter prefix is noise)
WORD = re.compile(r"[^\W_]+")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_PLAIN_WORDS = re.compile(r"[^\W_]+(?: [^\W_]+)*")
_FIELD_SYNTAX = re.compile(r"(?:^|[\s(])[^\W\d]\w*:")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_query_text(text: str) -> tuple[str, list[str]]:
    """Drop control and invisible characters, normalize, and truncate overlong queries."""
    notices: list[str] = []
    chars = []
    for char in nfc(text):
        category = unicodedata.category(char)
        if category == "Cc" or char.isspace():
            chars.append(" ")
        elif category not in ("Cf", "Cs", "Co", "Cn"):
            chars.append(char)
    cleaned = " ".join("".join(chars).split())
    if len(cleaned) > MAX_QUERY_CHARS:
        cut = cleaned[:MAX_QUERY_CHARS]
        if cleaned[MAX_QUERY_CHARS].isalnum() and " " in cut:
            cut = cut.rsplit(" ", 1)[0]  # do not search for half a word
        cleaned = cut
        notices.append(Notice.SHORTENED)
    return cleaned, notices


def syntax_problem(text: str) -> str | None:
    """Why the query syntax cannot be trusted as written (a :class:`Notice` code), or ``None``."""
    if text.count('"') % 2:
        return Notice.UNBALANCED_QUOTES
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        return Notice.UNBALANCED_BRACKETS
    if _FIELD_SYNTAX.search(text):
        return Notice.NAMED_FIELDS
    words = [w for w in re.split(r"[\s()]+", text) if w]
    flags = [w in _OPERATORS for w in words]
    if flags and (flags[0] and words[0] != "NOT" or flags[-1]):
        return Notice.DANGLING_OPERATOR
    # An operator may be followed only by NOT, and NOT by no operator ("NOT NOT x" makes
    # Whoosh's NotGroup raise IndexError).
    if any(a and b and (w2 != "NOT" or w1 == "NOT") for a, b, w1, w2 in zip(flags, flags[1:], words, words[1:])):
        return Notice.DANGLING_OPERATOR
    return None


class Parser:
    """Whoosh's multi-field parser over ``fields`` (with their boosts), Kazakh words as prefixes."""

    def __init__(self, schema: Any, fields: tuple[str, ...], boosts: dict[str, float], kazakh_fields: frozenset[str]):
        self._schema = schema
        self._fields = list(fields)
        self._boosts = boosts
        self._kazakh = kazakh_fields

    def whoosh_query(self, text: str, notices: list[str]) -> wq.Query:
        """Whoosh's parse of ``text``; its plain words if the syntax cannot be trusted."""
        if (built := self._plain_words_query(text)) is not None:
            return built
        return self.parsed_query(text, notices)

    def parsed_query(self, text: str, notices: list[str]) -> wq.Query:
        """Whoosh's parse of ``text`` by its query parser (which :meth:`whoosh_query` skips for
        plain words); its plain words if the syntax cannot be trusted."""
        problem = syntax_problem(text)
        if problem is None:
            try:
                return self._parser(syntax=True).parse(text).accept(self._prefix_kazakh_terms)
            except qparser.QueryParserError:
                problem = Notice.UNREADABLE
        notices.append(problem)
        return self.plain_words(text)

    def plain_words(self, text: str) -> wq.Query:
        """The words of ``text`` (without ``name:`` prefixes), all required, no syntax."""
        words = " ".join(WORD.findall(_FIELD_SYNTAX.sub(" ", text)))
        return self._parser(syntax=False).parse(words).accept(self._prefix_kazakh_terms)

    def _plain_words_query(self, text: str) -> wq.Query | None:
        """What Whoosh's parser makes of ``text`` when it is only words (letters and digits)
        between single spaces, none an operator, built without the parser: for each word, an
        ``Or`` of its term in each field (a field's analyser read once per analyser, not once
        per field), all of them in an ``And``, normalised as the parser normalises. None when
        the text has anything else, or a word that a field splits into several terms."""
        if not _PLAIN_WORDS.fullmatch(text):
            return None
        words = text.split(" ")
        if any(word in _OPERATORS for word in words):
            return None
        per_word = []
        for word in words:
            by_analyzer: dict[int, list[str]] = {}
            terms: list[wq.Query] = []
            for name in self._fields:
                field = self._schema[name]
                texts = by_analyzer.get(id(field.analyzer))
                if texts is None:
                    texts = by_analyzer[id(field.analyzer)] = list(field.process_text(word, mode="query"))
                if len(texts) > 1:
                    return None
                terms.append(wq.Term(name, texts[0], boost=self._boosts.get(name, 1.0)) if texts else wq.NullQuery)
            per_word.append(wq.Or(terms))
        return wq.And(per_word).normalize().accept(self._prefix_kazakh_terms)

    def _parser(self, *, syntax: bool) -> qparser.QueryParser:
        parser = qparser.MultifieldParser(self._fields, self._schema, fieldboosts=self._boosts, plugins=None if syntax else [])
        if syntax:
            for plugin in (qparser.FieldsPlugin, qparser.RangePlugin, qparser.EveryPlugin):
                parser.remove_plugin_class(plugin)
        return parser

    def _prefix_kazakh_terms(self, query: wq.Query) -> wq.Query:
        """Kazakh has no stemmer: a plain query word matches Kazakh words that start with it."""
        if (
            type(query) is wq.Term
            and query.fieldname in self._kazakh
            and isinstance(query.text, str)
            and len(query.text) >= MIN_PREFIX_CHARS
        ):
            return wq.Prefix(query.fieldname, query.text, boost=query.boost, constantscore=False)
        return query


def to_tree(query: wq.Query) -> tuple[q.Node, bool]:
    """The engine's tree for a Whoosh query, and whether some part of it had to become plain
    words (a construct the engine does not evaluate)."""
    simplified: list[bool] = []
    return _node(query, simplified), bool(simplified)


def _node(query: wq.Query, simplified: list[bool]) -> q.Node:
    boost = float(getattr(query, "boost", 1.0))
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return q.Nothing()
    if type(query) is wq.Term and isinstance(query.text, str):
        return q.Term(query.fieldname, query.text, boost)
    if type(query) is wq.Prefix:
        return q.Prefix(query.fieldname, query.text, boost)
    if type(query) is wq.Wildcard:
        return q.Wildcard(query.fieldname, query.text, boost)
    if type(query) is wq.Phrase and query.slop == 1 and all(isinstance(w, str) for w in query.words):
        return q.Phrase(query.fieldname, tuple(query.words), boost)
    if type(query) is wq.And:
        return q.And(tuple(_node(sub, simplified) for sub in query.subqueries), boost)
    if type(query) is wq.Or and not query.minmatch and not query.scale:
        return q.Or(tuple(_node(sub, simplified) for sub in query.subqueries), boost)
    if type(query) is wq.AndNot:
        return q.AndNot(_node(query.a, simplified), _node(query.b, simplified), boost)
    if type(query) is wq.AndMaybe:
        return q.AndMaybe(_node(query.a, simplified), _node(query.b, simplified), boost)
    if type(query) is wq.Not:
        return q.Not(_node(query.query, simplified), boost)
    simplified.append(True)
    words = [q.Term(field, text, boost) for field, text in query.iter_all_terms() if isinstance(text, str)]
    return q.And(tuple(words), 1.0) if words else q.Nothing()
