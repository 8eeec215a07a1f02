"""A name curators wrote into an exhibition's texts is gone from every surface and every store
once its contributor erases their details: pages, the API and search at once; the database and
the search index files once the follower has caught up and purged; and it does not come back
when the read models and the index are rebuilt (``archive rebuild-read-models``, ``archive
reindex``).

Deployments as in ``test_withdrawal_everywhere``: SQLite with a local index, and PostgreSQL
with S3 on moto.
"""

from __future__ import annotations

from typing import Any

from archive.services.application import ExhibitionArchive
from archive.search.folders import IndexFolders
from archive.search.follower import SearchFollower, rebuild
from web.bootstrap import open_archive, open_search_index, search_index_opener
from tests.e2e.test_withdrawal_everywhere import (  # noqa: F401 - the fixture
    Deployment,
    body_text,
    deployment,
    leaks,
    text_needles,
    without_query_echo,
)

CURATOR = "curator:dana"
ONLINE = ["exhibit", "publish_online"]
SLUG = "letters-erasure"
GIVEN, FAMILY, PSEUDONYM = "Ysoldavirnetta", "Qorvathenko", "Vexmaraquill"
WORDS = (GIVEN, FAMILY, PSEUDONYM)


def _naming(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in WORDS if word.lower() in lowered]


def _seen(visitor: Any, paths: list[str]) -> dict[str, str]:
    seen = {}
    for path in paths:
        response = visitor.get(path)
        assert response.status_code == 200, path
        text = body_text(response)
        seen[path] = without_query_echo(text) if path.startswith("/search") else text
    return seen


def test_an_erased_name_written_in_exhibition_texts_is_gone_everywhere(deployment: Deployment):  # noqa: F811
    d = deployment
    app = d.web_app()
    archive: ExhibitionArchive = app.extensions["archive"]
    follower_archive = open_archive(d.settings)
    follower_index = open_search_index(d.settings, writable=True)
    follower = SearchFollower(follower_archive, follower_index)
    try:
        her = archive.contributors.register_contributor(name=f"{GIVEN} {FAMILY}", pseudonym=PSEUDONYM, actor=CURATOR)
        other = archive.contributors.register_contributor(name="Dana Open", actor=CURATOR)
        quilt = archive.cataloguing.record_artwork(contributor_id=her, actor=CURATOR, title={"en": "Quilt"})
        lamp = archive.cataloguing.record_artwork(contributor_id=other, actor=CURATOR, title={"en": "Lamp"})
        for work in (quilt, lamp):
            archive.consent.record_consent(work, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
        show = archive.curation.create_exhibition(
            slug=SLUG, actor=CURATOR, titles={"en": f"Letters from {GIVEN}", "ru": f"Письма {FAMILY}"},
            statement={"en": f"{PSEUDONYM} sewed these quilts in Almaty."},
        )
        archive.curation.add_to_exhibition(show, quilt, actor=CURATOR)
        archive.curation.add_to_exhibition(show, lamp, actor=CURATOR, wall_text={"en": f"Lit for {GIVEN} {FAMILY}."})
        archive.curation.publish_exhibition(show, actor=CURATOR)
        assert follower.catch_up() > 0

        today = archive.today().isoformat()
        visitor = app.test_client()
        paths = [
            "/?lang=en", "/exhibitions?lang=en", f"/exhibitions/{SLUG}?lang=en", f"/exhibitions/{SLUG}?lang=ru",
            f"/exhibitions/{SLUG}/history?lang=en", f"/exhibitions/{SLUG}/as-of?date={today}&lang=en",
            f"/items/{lamp}?lang=en", "/api/v1/exhibitions", f"/api/v1/exhibitions/{SLUG}",
            *(f"/search?q={word}&lang=en" for word in WORDS), *(f"/api/v1/search?q={word}" for word in WORDS),
        ]
        before = _seen(visitor, paths)
        assert sorted({w for text in before.values() for w in _naming(text)}) == sorted(WORDS), "named before"

        archive.self_service.withdraw_everything(her)

        # At once, before the follower runs: no surface names her.
        after = _seen(visitor, paths)
        assert {path: _naming(text) for path, text in after.items() if _naming(text)} == {}
        assert "Almaty" in after[f"/exhibitions/{SLUG}?lang=en"], "the rest of the statement stays"
        assert "Names were taken out of its texts" in after[f"/exhibitions/{SLUG}/history?lang=en"]

        # The follower catches up and purges: no database or index file holds her name.
        follower.catch_up()
        follower.purge_if_due(force=True)
        needles = text_needles(*WORDS)
        assert leaks({**d.database_files(), **d.index_files()}, needles) == []

        # Rebuilding the read models and the index brings nothing back.
        archive.rebuild_read_models()
        assert rebuild(archive, IndexFolders(d.settings.search_dir), search_index_opener(writable=True)) > 0
        follower.catch_up()
        rebuilt = _seen(app.test_client(), paths)
        assert {path: _naming(text) for path, text in rebuilt.items() if _naming(text)} == {}
    finally:
        follower_index.close()
        follower_archive.close()
        app.extensions["search"].close()
        archive.close()
