"""A deterministic corpus of testimonies for the search benchmark.

Mixed English and Russian (about half each) and a few Kazakh texts, 300 to 1,500 words
each, drawn from a Zipf-like distribution over a per-language vocabulary: a short list of
real common words (stop words included, and inflected forms such as
``молчание/молчания/молчанию`` and ``letter/letters`` so that stemming matters), then a
few thousand plausible words built from syllables (Russian ones with several case endings).
Every text also carries a few words from a large "rare" pool (like names and places), so
some words occur in only a handful of documents.

Everything comes from ``random.Random`` seeded with the corpus seed (the vocabulary) and
with the seed and the item number (each item), so ``Corpus().item(n)`` is the same text on
every run and can be regenerated instead of kept in memory. Drawing uses ``choices`` with
a precomputed table in which each word fills slots in proportion to its Zipf weight (at
least one), so drawing is a uniform pick from the table by random 16-bit numbers (no per-word
``bisect`` and no per-word Python call):
50,000 texts (45 million words) take well under a minute.
"""

from __future__ import annotations

import itertools
import operator
import random
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Corpus", "CorpusItem", "LANGUAGE_SHARES", "REAL_WORDS"]

LANGUAGE_SHARES = {"en": 0.48, "ru": 0.48, "kk": 0.04}
MIN_WORDS, MAX_WORDS = 300, 1500
ZIPF_EXPONENT = 1.05
ZIPF_OFFSET = 2.7  # Zipf-Mandelbrot: flattens the very top a little, like real text
RARE_PER_TEXT = (1, 4)  # words from the rare pool in each text
TABLE_SLOTS = 1 << 16  # the sampling table, indexed by random 16-bit numbers; every word >= 1 slot

#: Real common words, most frequent first; they take the top ranks of each vocabulary.
REAL_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "the", "and", "i", "to", "of", "a", "was", "in", "we", "my", "it", "that", "he", "she",
        "they", "had", "with", "for", "on", "not", "but", "were", "there", "mother", "father",
        "house", "home", "war", "years", "year", "time", "remember", "remembered", "city",
        "village", "night", "children", "child", "winter", "train", "camp", "letter", "letters",
        "wrote", "writing", "silence", "silent", "street", "school", "bread", "water", "river",
        "window", "door", "mountain", "mountains", "steppe", "grandmother", "grandfather",
        "brother", "sister", "family", "friends", "friend", "work", "worked", "factory", "field",
        "fields", "snow", "spring", "summer", "autumn", "morning", "evening", "road", "roads",
        "photograph", "photographs", "song", "songs", "language", "voice", "voices", "name",
        "names", "grave", "memory", "memories", "fear", "hope", "kitchen", "garden", "apple",
        "apples", "music", "painting", "paintings", "archive", "story", "stories",
    ),
    "ru": (
        "и", "в", "не", "я", "на", "что", "мы", "он", "она", "с", "было", "как", "но", "это",
        "мама", "мамы", "маме", "отец", "отца", "дом", "дома", "доме", "война", "войны", "войну",
        "годы", "лет", "время", "помню", "помнила", "город", "города", "деревня", "деревне",
        "ночь", "ночью", "дети", "детей", "зима", "зимой", "поезд", "поезде", "лагерь", "лагере",
        "письмо", "письма", "писем", "письмах", "молчание", "молчания", "молчанию", "молчании",
        "молчали", "улица", "улице", "школа", "школе", "хлеб", "хлеба", "вода", "воды", "река",
        "реки", "окно", "окна", "дверь", "горы", "гор", "степь", "степи", "бабушка", "бабушки",
        "дедушка", "брат", "брата", "сестра", "сестры", "семья", "семьи", "работа", "работала",
        "завод", "поле", "снег", "весна", "лето", "осень", "утро", "вечер", "дорога", "дороги",
        "фотография", "фотографии", "песня", "песни", "язык", "голос", "голоса", "имя", "имена",
        "память", "памяти", "страх", "надежда", "кухня", "сад", "яблоки", "музыка", "картина",
        "картины", "архив", "история", "истории",
    ),
    "kk": (
        "және", "мен", "бір", "бұл", "ол", "біз", "еді", "болды", "үй", "үйде", "ана", "анам",
        "әке", "әкем", "соғыс", "соғыста", "жыл", "жылдар", "уақыт", "есімде", "ауыл", "ауылда",
        "қала", "қалада", "түн", "түнде", "балалар", "қыс", "қыста", "пойыз", "хат", "хаттар",
        "үнсіздік", "үнсіздікте", "көше", "мектеп", "нан", "су", "өзен", "терезе", "есік", "тау",
        "таулар", "дала", "далада", "әже", "әжем", "ата", "атам", "аға", "апа", "отбасы", "жұмыс",
        "зауыт", "қар", "көктем", "жаз", "күз", "таң", "кеш", "жол", "сурет", "суреттер", "ән",
        "әндер", "тіл", "дауыс", "есім", "естелік", "қорқыныш", "үміт", "бақ", "алма", "музыка",
    ),
}

_SYLLABLES = {
    "en": (
        ("b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n",
         "p", "pl", "pr", "r", "s", "sh", "sl", "st", "t", "th", "tr", "v", "w", "wh", ""),
        ("a", "e", "i", "o", "u", "ea", "ai", "oo", "ou", "y", "ie"),
        ("", "", "n", "r", "st", "nd", "ll", "t", "s", "ck", "m", "ng", "rd", "sh"),
    ),
    "ru": (
        ("б", "в", "г", "д", "ж", "з", "к", "л", "м", "н", "п", "р", "с", "т", "ф", "х", "ц", "ч",
         "ш", "щ", "бр", "гр", "др", "кр", "пр", "ст", "тр", "сл", "зв", "св", "пл", "см"),
        ("а", "е", "и", "о", "у", "ы", "я", "ю", "ё", "о", "а", "е"),
        ("", "", "", "н", "р", "л", "ст", "к", "м", "в", "ш"),
    ),
    "kk": (
        ("б", "ғ", "д", "ж", "з", "к", "қ", "л", "м", "н", "ң", "п", "р", "с", "т", "ш", "т", "ж",
         "қ", "б"),
        ("а", "ә", "е", "ы", "і", "о", "ө", "ұ", "ү", "а", "е", "ы"),
        ("", "", "н", "р", "л", "қ", "ң", "с", "т", "м", "ш", "з"),
    ),
}
# Case and number endings: each generated Russian stem appears in a few of these forms, so
# the stemmer folds forms that the unstemmed baseline keeps apart.
_RU_ENDINGS = ("а", "ы", "е", "у", "ой", "ом", "ами", "ах", "ие", "ия", "ию", "ого", "ему", "ых")
_KK_ENDINGS = ("", "да", "дан", "ға", "ның", "лар", "дар", "мен")


def _word(rng: random.Random, language: str, syllables: int) -> str:
    onsets, vowels, codas = _SYLLABLES[language]
    parts = []
    for position in range(syllables):
        parts.append(rng.choice(onsets) + rng.choice(vowels))
        if position == syllables - 1 or rng.random() < 0.25:
            parts.append(rng.choice(codas))
    return "".join(parts)


def _generated(rng: random.Random, language: str, count: int, syllables: tuple[int, int], taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        stem = _word(rng, language, rng.randint(*syllables))
        if language == "ru":
            forms = [stem + ending for ending in rng.sample(_RU_ENDINGS, rng.randint(1, 3))]
        elif language == "kk":
            forms = [stem + ending for ending in rng.sample(_KK_ENDINGS, rng.randint(1, 2))]
        else:
            forms = [stem] + ([stem + "s"] if rng.random() < 0.3 else [])
        for form in forms:
            if len(form) >= 3 and form not in taken:
                taken.add(form)
                words.append(form)
    return words[:count]


def _sampling_table(words: list[str], weights: list[float], slots: int) -> list[str]:
    """``words`` repeated in proportion to ``weights`` (largest remainders, at least once each)."""
    total = sum(weights)
    exact = [w * slots / total for w in weights]
    counts = [max(1, int(x)) for x in exact]
    spare = slots - sum(counts)
    if spare > 0:
        by_remainder = sorted(range(len(words)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
        for i in by_remainder[:spare]:
            counts[i] += 1
    elif spare < 0:  # the minimum of one slot overdrew: take the excess from the top words
        counts[0] += spare
    table = [word for word, count in zip(words, counts) for _ in range(count)]
    assert len(table) == slots
    return table


@dataclass(frozen=True)
class CorpusItem:
    number: int
    language: str
    title: str
    text: str
    words: int  # words in the text (the title not counted)


class Corpus:
    """The vocabularies and the deterministic texts of one seed.

    ``vocabulary[lang]`` is ranked (most frequent first); ``rare[lang]`` is the pool of rare
    words, about evenly spread (each in a handful of texts at 50,000 items).
    """

    def __init__(self, seed: int = 20_240_601, vocabulary_size: int = 4_000, rare_size: int = 20_000):
        self.seed = seed
        rng = random.Random(f"vocabulary:{seed}")
        self.vocabulary: dict[str, list[str]] = {}
        self.rare: dict[str, list[str]] = {}
        self._table: dict[str, list[str]] = {}
        taken: set[str] = set()
        for language in LANGUAGE_SHARES:
            real = list(dict.fromkeys(REAL_WORDS[language]))
            taken.update(real)
            made = _generated(rng, language, vocabulary_size - len(real), (1, 3), taken)
            # Real words keep the top ranks but are interleaved with made-up ones further down,
            # so both kinds occur at every frequency below the very top.
            head, tail = real[:20], real[20:]
            ranked = head + [w for pair in itertools.zip_longest(made, tail) for w in pair if w]
            self.vocabulary[language] = ranked
            self.rare[language] = _generated(rng, language, rare_size // (1 if language != "kk" else 10), (3, 4), taken)
            weights = [1.0 / (rank + ZIPF_OFFSET) ** ZIPF_EXPONENT for rank in range(len(ranked))]
            self._table[language] = _sampling_table(ranked, weights, TABLE_SLOTS)
        languages, shares = zip(*LANGUAGE_SHARES.items())
        self._languages = languages
        self._language_cumulative = list(itertools.accumulate(shares))

    def language_of(self, number: int) -> str:
        return random.Random(f"language:{self.seed}:{number}").choices(
            self._languages, cum_weights=self._language_cumulative
        )[0]

    def item(self, number: int) -> CorpusItem:
        """The ``number``-th text: always the same for the same seed."""
        rng = random.Random(f"item:{self.seed}:{number}")
        language = rng.choices(self._languages, cum_weights=self._language_cumulative)[0]
        vocabulary = self.vocabulary[language]
        length = rng.randint(MIN_WORDS, MAX_WORDS)
        slots = memoryview(rng.randbytes(2 * length)).cast("H")  # uniform over the table
        words = list(operator.itemgetter(*slots)(self._table[language]))
        rare = self.rare[language]
        for _ in range(rng.randint(*RARE_PER_TEXT)):
            words[rng.randrange(length)] = rare[rng.randrange(len(rare))]
        # Sentences of 5 to 18 words: a capital at the start, a full stop at the end.
        lengths = rng.randbytes(length // 5 + 1)
        start = 0
        for step in lengths:
            words[start] = words[start].capitalize()
            start += 5 + step % 14
            if start >= length:
                break
            words[start - 1] += "."
        words[-1] += "."
        title_words = rng.choices(vocabulary[20:600], k=rng.randint(2, 5))
        title = " ".join(title_words).capitalize()
        return CorpusItem(number, language, title, " ".join(words), length)

    def items(self, count: int, start: int = 0) -> Iterator[CorpusItem]:
        for number in range(start, start + count):
            yield self.item(number)

    def mid_words(self, language: str, count: int, first_rank: int = 300) -> list[str]:
        """Made-up words of middling frequency (ranks from ``first_rank`` on), by rank."""
        real = set(REAL_WORDS[language])
        return [w for w in self.vocabulary[language][first_rank:] if w not in real][:count]


if __name__ == "__main__":  # a quick look and a timing: python -m tests.bench.search_corpus
    import sys
    import time

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    started = time.perf_counter()
    corpus = Corpus()
    built = time.perf_counter() - started
    words = 0
    by_language: dict[str, int] = {}
    for item in corpus.items(count):
        words += item.words
        by_language[item.language] = by_language.get(item.language, 0) + 1
    elapsed = time.perf_counter() - started
    print(f"vocabularies in {built:.2f} s; {count} texts, {words} words in {elapsed:.1f} s; {by_language}")
    sample = corpus.item(1)
    print(sample.language, sample.title, "|", sample.text[:300])
