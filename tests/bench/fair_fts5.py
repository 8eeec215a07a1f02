"""The search benchmark's baseline: the best plain use of SQLite FTS5 doing our search's work.

What the visitor use case returns for a query, FTS5 returns too: the total number of matches,
facet counts over all of them (kind, exhibition, year, language), the top 10 by weighted BM25,
and snippets with ``<mark>`` for those 10 rows only. Matching is as near to our analysis as
FTS5 allows:

* English and Russian texts in one table with the ``porter unicode61 remove_diacritics 2``
  tokenizer (ours stems English with Snowball's English stemmer, close to Porter; FTS5 has no
  Russian stemmer, so Russian words match only the form asked for: fewer matches, less work);
* Kazakh texts in a second table without a stemmer, where every query word of 3 letters or more
  matches as a prefix, as ours does in its Kazakh fields (FTS5 tokenizers are per table; scores
  of the two tables are both BM25 and are merged, as ours merges scores of its per-language fields);
* column weights as our field boosts: title 3, text 1, content note 1, contributor 2.

Tuned as the SQLite documentation advises: a prefix index (``prefix='2 3 4'``) for the prefix
queries, ``optimize`` after the load (one b-tree per table, as after our rebuild), a 128 MiB
page cache and memory-mapped reads, and the top 10 chosen by ``bm25()`` with the weights in a
query of their own before ``snippet()`` runs on those 10 rows alone (``rowid IN`` the 10). An
explicit ``ORDER BY bm25(t, ...)`` measured faster than ``ORDER BY rank`` with the weights set
as the table's rank (1.6 against 2.6 ms for a word in 2,300 of 5,000 texts), and the 10 known
rowids faster than a subquery repeating the match.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Fts5Baseline", "Fts5Document", "Fts5Results", "MIN_PREFIX_CHARS"]

MIN_PREFIX_CHARS = 3  # as archive/search/whoosh/parse.py: shorter Kazakh words match exactly
PAGE_SIZE = 10
SNIPPET_TOKENS = 64  # FTS5's longest fragment; ours shows up to two of ~40 words
_WORD = re.compile(r"[^\W_]+")
_TABLES = {"main": "porter unicode61 remove_diacritics 2", "kazakh": "unicode61 remove_diacritics 2"}
_WEIGHTS = "3.0, 1.0, 1.0, 2.0"  # bm25() weights of title, text, note, contributor
_CACHE_KIB = 128 * 1024
_MMAP_BYTES = 1 << 30


@dataclass(frozen=True)
class Fts5Document:
    """One searchable item as FTS5 holds it: its texts in its language, and its facet values."""

    rowid: int
    language: str
    title: str
    text: str
    note: str = ""
    contributor: str = ""
    kind: str = "testimony"
    year: int | None = None
    exhibitions: tuple[str, ...] = ()


@dataclass
class Fts5Results:
    total: int
    facets: dict[str, Counter[str]]
    hits: list[tuple[int, float, str, str]] = field(default_factory=list)  # rowid, bm25, title, snippet


class Fts5Baseline:
    """An FTS5 database in ``path``: :meth:`load` once, then :meth:`search` any number of times."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(
            f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-{_CACHE_KIB};"
            f"PRAGMA mmap_size={_MMAP_BYTES};"
            "CREATE TABLE IF NOT EXISTS facts(rowid INTEGER PRIMARY KEY, kind TEXT, language TEXT,"
            " year INTEGER, exhibitions TEXT);"
        )
        for table, tokenizer in _TABLES.items():
            self.db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(title, text, note, contributor,"
                f" tokenize='{tokenizer}', prefix='2 3 4')"
            )

    def load(self, documents: Iterable[Fts5Document]) -> None:
        """Insert every document in one transaction, then ``optimize`` each table."""
        with self.db:
            for doc in documents:
                table = "kazakh" if doc.language == "kk" else "main"
                self.db.execute(
                    f"INSERT INTO {table}(rowid, title, text, note, contributor) VALUES (?, ?, ?, ?, ?)",
                    (doc.rowid, doc.title, doc.text, doc.note, doc.contributor),
                )
                self.db.execute(
                    "INSERT INTO facts(rowid, kind, language, year, exhibitions) VALUES (?, ?, ?, ?, ?)",
                    (doc.rowid, doc.kind, doc.language, doc.year, ",".join(doc.exhibitions)),
                )
        with self.db:
            for table in _TABLES:
                self.db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")

    def close(self) -> None:
        self.db.close()

    def search(self, text: str, *, phrase: bool = False, kinds: tuple[str, ...] = ()) -> Fts5Results:
        """Total, facet counts, and the top 10 (both tables merged by BM25) with snippets."""
        words = _WORD.findall(text.lower())
        results = Fts5Results(0, {name: Counter() for name in ("kind", "exhibition", "year", "language")})
        if not words:
            return results
        kind_filter = f" AND f.kind IN ({','.join('?' * len(kinds))})" if kinds else ""
        ranked: list[tuple[float, str, int]] = []
        queries = {table: _match(table, words, phrase) for table in _TABLES}
        for table, match in queries.items():
            rows = self.db.execute(
                f"SELECT f.kind, f.language, f.year, f.exhibitions, count(*) FROM {table} t"
                f" JOIN facts f ON f.rowid = t.rowid WHERE {table} MATCH ?{kind_filter} GROUP BY 1, 2, 3, 4",
                (match, *kinds),
            ).fetchall()
            for kind, language, year, exhibitions, count in rows:
                results.total += count
                results.facets["kind"][kind] += count
                results.facets["language"][language] += count
                if year is not None:
                    results.facets["year"][str(year)] += count
                for slug in filter(None, exhibitions.split(",")):
                    results.facets["exhibition"][slug] += count
            if rows:
                top = self.db.execute(
                    f"SELECT t.rowid, bm25({table}, {_WEIGHTS}) AS score FROM {table} t JOIN facts f"
                    f" ON f.rowid = t.rowid WHERE {table} MATCH ?{kind_filter} ORDER BY score LIMIT {PAGE_SIZE}",
                    (match, *kinds),
                ).fetchall()
                ranked.extend((score, table, rowid) for rowid, score in top)
        ranked.sort()
        chosen = ranked[:PAGE_SIZE]
        for table in {table for _, table, _ in chosen}:
            rowids = [rowid for _, t, rowid in chosen if t == table]
            snippets = self.db.execute(
                f"SELECT rowid, highlight({table}, 0, '<mark>', '</mark>'),"
                f" snippet({table}, 1, '<mark>', '</mark>', '…', {SNIPPET_TOKENS}) FROM {table}"
                f" WHERE {table} MATCH ? AND rowid IN ({','.join('?' * len(rowids))})",
                (queries[table], *rowids),
            ).fetchall()
            by_rowid = {rowid: (title, snippet) for rowid, title, snippet in snippets}
            results.hits.extend((rowid, score, *by_rowid[rowid]) for score, t, rowid in chosen if t == table)
        results.hits.sort(key=lambda hit: hit[1])
        return results


def _match(table: str, words: list[str], phrase: bool) -> str:
    """The query in FTS5 syntax: every word required, or one phrase; Kazakh words as prefixes."""
    if phrase:
        return '"' + " ".join(words) + '"'
    if table == "kazakh":
        return " ".join(f'"{w}"*' if len(w) >= MIN_PREFIX_CHARS else f'"{w}"' for w in words)
    return " ".join(f'"{w}"' for w in words)
