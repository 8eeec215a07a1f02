"""The *Silent Room* demo: an exhibition whose history is worth looking at.

*Silent Room* (*Тихая комната*, *Тыныш бөлме*) was a student exhibition on violence against
women in Kazakhstan, organised by the student organisation Art Revolution at KIMEP
University, Almaty, in spring 2024. Everything else here (dates, works, testimonies,
contributors) is a fictional sample written for this software, marked as such; no real
person appears as a contributor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from uuid import UUID

from archive.services.application import ExhibitionArchive
from archive.errors import NotFound
from domain import actor as actors
from domain import clock

SLUG = "silent-room"
CURATOR = actors.curator("demo-curator")
SAMPLE = {
    "en": "Fictional sample for this demo.",
    "ru": "Вымышленный пример для демонстрации.",
    "kk": "Демонстрацияға арналған ойдан шығарылған үлгі.",
}


@dataclass(frozen=True)
class DemoResult:
    exhibition_id: UUID
    created: bool
    #: A demo contributor's consent code, to try the consent portal (only when just created).
    consent_code: str | None = None


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=timezone.utc)


SamplePhoto = Callable[[int, str], bytes]


def load_demo(archive: ExhibitionArchive, sample_photo: SamplePhoto | None = None) -> DemoResult:
    """Load the demo once; calling it again changes nothing.

    ``sample_photo(seed, title)`` makes a generated photograph (JPEG bytes whose EXIF carries
    GPS coordinates, so that the stripping can be seen); without it the works have no images.
    """
    try:
        return DemoResult(archive.exhibition_id_for_slug(SLUG), created=False)
    except NotFound:
        pass

    with clock.fixed_at(_at(2024, 2, 12)):
        exhibition = archive.curation.create_exhibition(
            slug=SLUG,
            actor=CURATOR,
            titles={"en": "Silent Room"},
            organiser={"en": "Art Revolution, student organisation at KIMEP University"},
            venue={"en": "KIMEP University"},
            city={"en": "Almaty"},
            statement={
                "en": "A student exhibition about violence against women in Kazakhstan, and "
                "about the silence around it. (Demo draft.)"
            },
            opens_on=date(2024, 4, 1),
            closes_on=date(2024, 4, 26),
        )
        # Invented names (see the module docstring and the exhibition's statement), written as
        # people write them: a "(fictional)" inside a name would make the name filter remove
        # that word from every text whose credit withholds the name.
        artist_a = archive.contributors.register_contributor(name="Aliya Nurtazina", pseudonym="Dala", actor=CURATOR)
        artist_b = archive.contributors.register_contributor(name="Madina Seitkali", actor=CURATOR)
        witness_c = archive.contributors.register_contributor(name="Irina Volkova", pseudonym="Aq Qus", actor=CURATOR)
        witness_d = archive.contributors.register_contributor(name="Gulnar Abenova", actor=CURATOR)
        witness_e = archive.contributors.register_contributor(name="Yelena Sorokina", pseudonym="Tolqyn", actor=CURATOR)

    with clock.fixed_at(_at(2024, 2, 20)):
        letters = archive.cataloguing.record_artwork(
            contributor_id=artist_a,
            actor=CURATOR,
            title={
                "en": "Unsent Letters",
                "ru": "Неотправленные письма",
                "kk": "Жіберілмеген хаттар",
            },
            year=2024,
            medium={
                "en": "Photographic series, inkjet prints",
                "ru": "Фотосерия, струйная печать",
                "kk": "Фотосерия, сиялы басып шығару",
            },
            dimensions="12 prints, 30 × 40 cm each",
            series={"en": "Unsent Letters", "ru": "Неотправленные письма", "kk": "Жіберілмеген хаттар"},
            description={
                "en": "Envelopes photographed on a kitchen table at dawn, each addressed to "
                "someone who never asked. " + SAMPLE["en"],
                "ru": "Конверты, сфотографированные на кухонном столе на рассвете; каждый "
                "адресован тому, кто так и не спросил. " + SAMPLE["ru"],
                "kk": "Таң атқанда ас үй үстелінде суретке түсірілген конверттер; әрқайсысы "
                "ешқашан сұрамаған адамға жазылған. " + SAMPLE["kk"],
            },
        )
        threshold = archive.cataloguing.record_artwork(
            contributor_id=artist_b,
            actor=CURATOR,
            title={"en": "Threshold", "ru": "Порог", "kk": "Табалдырық"},
            year=2023,
            medium={"en": "Felt and thread", "ru": "Войлок, нить", "kk": "Киіз, жіп"},
            dimensions="180 × 90 cm",
            description={
                "en": "A felt doormat embroidered with the words people say so as not to "
                "intervene. " + SAMPLE["en"],
                "ru": "Войлочный коврик у двери, на котором вышиты слова, которые говорят, "
                "чтобы не вмешиваться. " + SAMPLE["ru"],
                "kk": "Араласпау үшін айтылатын сөздер кестеленген киіз кілемше. " + SAMPLE["kk"],
            },
        )
        quiet = archive.cataloguing.record_testimony(
            contributor_id=witness_c,
            actor=CURATOR,
            title={"en": "The quiet flat", "ru": "Тихая квартира", "kk": "Тыныш пәтер"},
            language="ru",
            text={
                "ru": "Долгие годы я думала, что молчание в нашей квартире — это нормально. "
                "Соседи слышали, но молчали. Я пишу это, чтобы молчания стало меньше. "
                "(Вымышленный текст для демонстрации.)",
                "en": "For years I thought the silence in our flat was normal. The neighbours "
                "heard, and said nothing. I am writing this so that there is less silence. "
                "(Fictional text for this demo.)",
            },
            content_note={
                "en": "Mentions domestic violence, without details.",
                "ru": "Упоминается домашнее насилие, без подробностей.",
                "kk": "Тұрмыстық зорлық-зомбылық туралы, егжей-тегжейсіз.",
            },
        )
        voice = archive.cataloguing.record_testimony(
            contributor_id=witness_d,
            actor=CURATOR,
            title={"kk": "Дауыс", "en": "A voice", "ru": "Голос"},
            language="kk",
            text={
                "kk": "Мен ұзақ уақыт үндемедім. Бүгін айтамын: көмек сұрау әлсіздік емес. "
                "(Демонстрацияға арналған ойдан шығарылған мәтін.)",
                "en": "I kept quiet for a long time. Today I say it: asking for help is not "
                "weakness. (Fictional text for this demo.)",
            },
            content_note={
                "en": "Mentions abuse in general terms.",
                "ru": "Упоминается насилие в общих словах.",
                "kk": "Зорлық-зомбылық жалпы түрде айтылады.",
            },
        )
        room_only = archive.cataloguing.record_testimony(
            contributor_id=witness_e,
            actor=CURATOR,
            title={"en": "Only in the room", "ru": "Только в зале"},
            language="en",
            text={
                "en": "I agreed to have this read aloud in the exhibition room, not put on "
                "the internet. (Fictional text for this demo.)"
            },
            content_note={"en": "Mentions coercive control."},
        )
        withdrawn_later = archive.cataloguing.record_testimony(
            contributor_id=witness_e,
            actor=CURATOR,
            title={"en": "Second thoughts", "ru": "Сомнения"},
            language="ru",
            text={
                "ru": "Этот текст позже отозван автором; после отзыва его содержание "
                "невозможно восстановить. (Вымышленный текст.)"
            },
            content_note={"en": "Mentions violence."},
        )

    if sample_photo is not None:
        with clock.fixed_at(_at(2024, 2, 21)):
            for seed, (en, ru, kk) in enumerate(
                (
                    ("An envelope on a kitchen table at dawn.", "Конверт на кухонном столе на рассвете.", "Таң атқанда ас үй үстеліндегі конверт."),
                    ("Two envelopes under a cup, blurred.", "Два конверта под чашкой, размыто.", "Кесенің астындағы екі конверт, бұлыңғыр."),
                    ("A stack of envelopes tied with string.", "Стопка конвертов, перевязанная ниткой.", "Жіппен байланған конверттер бумасы."),
                ),
                start=1,
            ):
                archive.item_images.upload_image(
                    letters, sample_photo(seed, "Unsent Letters"), actor=CURATOR, alt_text={"en": en, "ru": ru, "kk": kk}
                )
            archive.item_images.upload_image(
                threshold,
                sample_photo(4, "Threshold"),
                actor=CURATOR,
                alt_text={
                    "en": "A grey felt doormat with embroidered words.",
                    "ru": "Серый войлочный коврик с вышитыми словами.",
                    "kk": "Кестеленген сөздері бар сұр киіз кілемше.",
                },
            )

    with clock.fixed_at(_at(2024, 2, 26)):
        online = ["exhibit", "publish_online"]
        codes = []
        for item, attribution in (
            (letters, "pseudonym"),
            (threshold, "named"),
            (quiet, "pseudonym"),
            (voice, "anonymous"),
            (withdrawn_later, "anonymous"),
        ):
            receipt = archive.consent.record_consent(
                item, actor=CURATOR, scopes=online, attribution=attribution, text_version="2024-02"
            )
            codes.append(receipt.code)
        archive.consent.record_consent(
            room_only, actor=CURATOR, scopes=["exhibit"], attribution="anonymous", text_version="2024-02"
        )

    with clock.fixed_at(_at(2024, 3, 4)):
        archive.curation.revise_exhibition(
            exhibition,
            actor=CURATOR,
            titles={"en": "Silent Room", "ru": "Тихая комната", "kk": "Тыныш бөлме"},
            organiser={
                "en": "Art Revolution, student organisation at KIMEP University",
                "ru": "Art Revolution, студенческая организация Университета КИМЭП",
                "kk": "Art Revolution, КИМЭП университетінің студенттік ұйымы",
            },
            venue={"en": "KIMEP University", "ru": "Университет КИМЭП", "kk": "КИМЭП университеті"},
            city={"en": "Almaty", "ru": "Алматы", "kk": "Алматы"},
            statement={
                "en": "A student exhibition about violence against women in Kazakhstan, and "
                "about the silence that surrounds it. The works and testimonies in this demo "
                "are fictional samples; no real person appears in them.",
                "ru": "Студенческая выставка о насилии в отношении женщин в Казахстане и о "
                "молчании вокруг него. Работы и свидетельства в этой демонстрации вымышлены; "
                "реальные люди в них не упоминаются.",
                "kk": "Қазақстандағы әйелдерге қатысты зорлық-зомбылық және оның айналасындағы "
                "үнсіздік туралы студенттік көрме. Бұл демонстрациядағы жұмыстар мен куәліктер "
                "ойдан шығарылған; оларда нақты адамдар жоқ.",
            },
        )

    with clock.fixed_at(_at(2024, 3, 11)):
        for item, wall_text in (
            (threshold, {"en": "Enter here.", "ru": "Вход здесь.", "kk": "Осы жерден кіріңіз."}),
            (letters, {"en": "Twelve letters, none sent.", "ru": "Двенадцать писем, ни одно не отправлено."}),
            (quiet, {"en": "Read in Russian at the opening.", "ru": "Прочитано на открытии."}),
            (voice, {"kk": "Қазақ тілінде жазылған.", "en": "Written in Kazakh."}),
            (room_only, {"en": "Read aloud in the room only."}),
            (withdrawn_later, {"en": "A testimony later withdrawn by its author."}),
        ):
            archive.curation.add_to_exhibition(exhibition, item, actor=CURATOR, wall_text=wall_text)

    with clock.fixed_at(_at(2024, 3, 25)):
        archive.curation.reorder_exhibition(
            exhibition, [letters, threshold, quiet, voice, room_only, withdrawn_later], actor=CURATOR
        )
        archive.curation.revise_wall_text(
            exhibition,
            threshold,
            actor=CURATOR,
            wall_text={
                "en": "A doormat for the words we use so as not to step in.",
                "ru": "Коврик для слов, которыми мы оправдываем невмешательство.",
                "kk": "Араласпау үшін айтатын сөздерге арналған кілемше.",
            },
        )

    with clock.fixed_at(_at(2024, 4, 1, 9)):
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)

    with clock.fixed_at(_at(2024, 4, 15)):
        archive.curation.revise_exhibition(exhibition, actor=CURATOR, closes_on=date(2024, 5, 10))

    with clock.fixed_at(_at(2024, 5, 20)):
        archive.consent.withdraw(withdrawn_later, actor=actors.contributor(witness_e))

    return DemoResult(exhibition, created=True, consent_code=next((c for c in codes if c), None))
