"""Withdrawal reaches everywhere: every public surface at once, every store's bytes after the purge.

One body, two deployments built the way production builds them (``open_archive`` and
``web.create_app`` from the same ``ARCHIVE_*`` settings, a follower with its own application
and the writable index, as the ``archive follow`` worker has):

- ``sqlite-local``: SQLite event store and key table, a local media folder, a local Whoosh
  index, all in the test's temporary folder;
- ``postgres-s3``: a throwaway PostgreSQL server, a *versioned* S3 bucket on moto over real
  HTTP, a local Whoosh index.

A curator records a contributor's artwork (two images with a recognisable pattern) and
testimony with made-up words in every text field, consent to publish and exhibit with the
contributor's name, and an exhibition holding both (and a bystander's work). The search
follower catches up; a visitor views and searches everything. Then the contributor enters their
consent code in the portal and withdraws everything. At once, before the follower runs again,
no public page, API answer or media URL shows anything of it. After the follower's purge, no
file of the database, the index or the media folder, and no object version in the bucket,
holds any of the words, any 64-byte window of the uploaded or served image bytes, or the
items' keys. A fresh application on the same storage reads the items back redacted, cannot
read their images, has no key for them, and tells that the contributor withdrew them.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from PIL import Image, ImageDraw
from whoosh.fields import TEXT

from archive.media_ports import files as media_files
from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from archive.config import Settings
from archive.shredding.crypto import MasterKey
from archive.errors import NotFound
from archive.search.folders import IndexFolders
from archive.search.follower import SearchFollower, rebuild
from archive.search.whoosh import postings_file
from archive.search.whoosh.index import build_schema
from domain import clock
from web.bootstrap import open_archive, open_search_index, search_index_opener
from tests.conftest import INSTANTS
from tests.e2e.helpers import csrf
from web import create_app

CURATOR = "curator:dana"
ONLINE = ["exhibit", "publish_online"]
SLUG = "tikha-komnata-withdrawal"
REGION = "eu-central-1"

# Made-up words, one per field, so that a failure names the field that leaked. Each is one
# token for the search analysers; the English ones start with a capital so that the scans
# look for the lower-case forms (index terms are lower-cased) as well.
TITLE_EN = "Zqxvelmoraith"
TITLE_RU = "Звельморайтщик"
DESCRIPTION_EN = "Quorbelistane"
DESCRIPTION_RU = "Плюхвердаштан"
ALT_EN = "Vintrelloquid"
ALT_RU = "Вистрелокуидный"
CAPTION_EN = "Caprithonellum"
CAPTION_RU = "Капритонеллумщ"
TESTIMONY_TITLE = "Morgavistrelune"
TESTIMONY_EN = "Thrandevoskily"
TESTIMONY_RU = "Тсарвемолдинка"
WALL_TEXT = "Wallquintessarox"
NAME_GIVEN, NAME_FAMILY = "Ysoldavirnetta", "Qorvathenko"
CONTRIBUTOR_NAME = f"{NAME_GIVEN} {NAME_FAMILY}"

#: Words a visitor's search finds before the withdrawal (the wall text is not indexed).
INDEXED = (
    TITLE_EN, TITLE_RU, DESCRIPTION_EN, DESCRIPTION_RU, ALT_EN, ALT_RU, CAPTION_EN, CAPTION_RU,
    TESTIMONY_TITLE, TESTIMONY_EN, TESTIMONY_RU, NAME_FAMILY,
)
TOKENS = (*INDEXED, WALL_TEXT, NAME_GIVEN)

# Someone else's work in the same exhibition: it must stay, and it keeps every scan honest
# (the index, the media store and the bucket still hold something after the purge).
BYSTANDER_TITLE = "Bystanderquillonex"

WINDOW = 64  # no window of this many bytes of any image may survive anywhere


# -- images ----------------------------------------------------------------------------------


def patterned_image(seed: int, fmt: str, size: tuple[int, int] = (720, 540)) -> bytes:
    """A recognisable picture: a Mandelbrot set, gradients and seeded diagonal stripes."""
    width, height = size
    fractal = Image.effect_mandelbrot(size, (-2.2 + seed * 0.13, -1.2, 1.0, 1.2), 96)
    image = Image.merge(
        "RGB", (fractal, Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size))
    )
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 24):
        draw.line([(x, 0), (width - x, height)], fill=(255, (x * 7 + seed) % 256, (seed * 53) % 256), width=3)
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return out.getvalue()


# -- byte scans ------------------------------------------------------------------------------


class WindowScanner:
    """Finds any common run of at least ``WINDOW`` bytes between the needles and a haystack.

    Exact without comparing every pair of offsets: needle anchors of 32 bytes are taken every
    5 bytes and the haystack is probed every 6 bytes. Since 5 and 6 are coprime and
    5 x 6 <= 64 - 32 + 1, every common run of 64 bytes contains an anchor at a probed offset;
    each probe hit is then extended both ways and counts only if the run reaches 64 bytes.
    """

    ANCHOR, NEEDLE_STEP, HAY_STEP = 32, 5, 6

    def __init__(self, needles: dict[str, bytes]):
        self.names = list(needles)
        self.needles = [needles[name] for name in self.names]
        self.anchors: dict[bytes, Any] = {}
        for n, data in enumerate(self.needles):
            assert len(data) >= WINDOW
            for at in range(0, len(data) - self.ANCHOR + 1, self.NEEDLE_STEP):
                ref = (n, at)
                known = self.anchors.get(data[at : at + self.ANCHOR])
                if known is None:
                    self.anchors[data[at : at + self.ANCHOR]] = ref
                elif isinstance(known, list):
                    known.append(ref)
                else:
                    self.anchors[data[at : at + self.ANCHOR]] = [known, ref]

    def find(self, hay: bytes) -> list[str]:
        """The names of the needles sharing a run of ``WINDOW`` bytes with ``hay``."""
        found: set[str] = set()
        anchors, size = self.anchors, self.ANCHOR
        for at in range(0, len(hay) - size + 1, self.HAY_STEP):
            refs = anchors.get(hay[at : at + size])
            if refs is None:
                continue
            for n, offset in refs if isinstance(refs, list) else [refs]:
                if self._run(hay, at, self.needles[n], offset) >= WINDOW:
                    found.add(self.names[n])
        return sorted(found)

    def _run(self, hay: bytes, at: int, needle: bytes, offset: int) -> int:
        left = 0
        while left < WINDOW and at - left > 0 and offset - left > 0 and hay[at - left - 1] == needle[offset - left - 1]:
            left += 1
        right, end_h, end_n = 0, at + self.ANCHOR, offset + self.ANCHOR
        while left + self.ANCHOR + right < WINDOW and end_h + right < len(hay) and end_n + right < len(needle) \
                and hay[end_h + right] == needle[end_n + right]:
            right += 1
        return left + self.ANCHOR + right


_SCHEMA = build_schema()


def text_needles(*texts: str) -> dict[str, bytes]:
    """Each text's UTF-8 bytes as written and lower-cased, and the terms the index's analysers
    make of it (stems, e.g. 'quorbelistan'), which is how a word sits in a term dictionary."""
    needles = {}
    for text in texts:
        forms = {text, text.lower()}
        for name in ("text_en", "text_ru", "text_kk", "contributor"):
            forms |= {token.text for token in _SCHEMA[name].analyzer(text)}
        for form in forms:
            needles[form] = form.encode("utf-8")
    return needles


def hash_needles(search_dir: Path, *texts: str) -> dict[str, bytes]:
    """The keyed hashes under which the postings files of each index folder under
    ``search_dir`` hold the index terms of the texts (``archive.search.whoosh.postings_file``):
    there a word is a hash, which a scan for the word itself does not see."""
    needles = {}
    for key_file in sorted(search_dir.rglob(postings_file.KEY_FILE)):
        hasher = postings_file.read_key(key_file.parent)
        assert hasher is not None, key_file
        for field in (name for name in _SCHEMA.names() if isinstance(_SCHEMA[name], TEXT)):
            for token in {t.text for text in texts for t in _SCHEMA[field].analyzer(text)}:
                value = hasher.hash(field, _SCHEMA[field].to_bytes(token))
                needles[f"{field}:{token} hashed ({key_file.parent.name})"] = value.to_bytes(8, "little")
    return needles


def inflated(blob: bytes) -> bytes:
    """Everything the zlib streams inside ``blob`` decompress to (Whoosh deflates its stored
    fields, so a raw scan alone would miss stored text)."""
    out = []
    at = blob.find(b"\x78")
    while at != -1:
        if at + 1 < len(blob) and (blob[at] << 8 | blob[at + 1]) % 31 == 0:
            stream = zlib.decompressobj()
            try:
                data = stream.decompress(blob[at:], 1 << 24)
            except zlib.error:
                data = b""
            if data:
                out.append(data)
        at = blob.find(b"\x78", at + 1)
    return b"\x00".join(out)


def with_inflated(blobs: dict[str, bytes]) -> dict[str, bytes]:
    """The blobs, and what the zlib streams inside each decompress to."""
    return {**blobs, **{f"{where} (inflated)": data for where, blob in blobs.items() if (data := inflated(blob))}}


def leaks(blobs: dict[str, bytes], needles: dict[str, bytes], windows: WindowScanner | None = None) -> list[str]:
    """``"<where>: <what>"`` for every needle (or image window) found in a blob."""
    found = [f"{where}: {what!r}" for where, blob in blobs.items() for what, needle in needles.items() if needle in blob]
    if windows is not None:
        found += [f"{where}: a {WINDOW}-byte window of {what}" for where, blob in blobs.items() for what in windows.find(blob)]
    return found


def files_under(*roots: Path) -> dict[str, bytes]:
    """Every regular file under the roots (not following symbolic links), by path."""
    blobs = {}
    for root in roots:
        if root.is_file():
            blobs[str(root)] = root.read_bytes()
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                blobs[str(path)] = path.read_bytes()
    return blobs


# -- the two deployments -----------------------------------------------------------------------




@dataclass
class Deployment:
    """One way of running the archive: its ``ARCHIVE_*`` settings and how to read its stores."""

    name: str
    env: dict[str, str]
    tmp: Path
    pg: Any = None  # tests.support.postgres.PostgresServer
    dbname: str | None = None
    s3: Any = None  # a boto3 client on the bucket, to read every version behind the port
    bucket: str | None = None

    @property
    def settings(self) -> Settings:
        return Settings.from_environ(self.env)

    def web_app(self) -> Any:
        """The website, composed exactly as in production from the same settings."""
        return create_app({"TESTING": True, **self.env})

    def database_files(self) -> dict[str, bytes]:
        """Every file holding events, snapshots or keys (the SQLite files with their -wal/-shm,
        or the PostgreSQL database's relation files after a checkpoint)."""
        if self.pg is not None:
            self.pg.checkpoint()
            return files_under(*self.pg.database_files(self.dbname))
        data_dir = self.settings.data_dir
        return files_under(*(p for p in data_dir.iterdir() if p.is_file()))

    def index_files(self) -> dict[str, bytes]:
        """Every file of the search index folder, and the deflated stored fields inside them."""
        return with_inflated(files_under(self.settings.search_dir))

    def local_files(self) -> dict[str, bytes]:
        """Everything this deployment wrote to the local disk (data, media, index folders)."""
        return files_under(self.tmp)

    def bucket_versions(self, prefix: str = "") -> tuple[dict[str, bytes], list[str]]:
        """The bytes of every object version under ``prefix``, and the keys of delete markers."""
        blobs: dict[str, bytes] = {}
        markers: list[str] = []
        if self.s3 is None:
            return blobs, markers
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                body = self.s3.get_object(Bucket=self.bucket, Key=version["Key"], VersionId=version["VersionId"])["Body"]
                blobs[f"s3://{self.bucket}/{version['Key']}?versionId={version['VersionId']}"] = body.read()
            markers += [marker["Key"] for marker in page.get("DeleteMarkers", [])]
        return blobs, markers

    def stored_media(self, archive: ExhibitionArchive, prefix: str) -> dict[str, bytes]:
        """The raw (sealed) bytes of every current object under ``prefix``, by key."""
        return {key: archive.media.get(key) for key in archive.media.list(prefix)}


@pytest.fixture(params=["sqlite-local", pytest.param("postgres-s3", marks=pytest.mark.postgres)])
def deployment(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    for name in list(os.environ):  # configuration comes only from what this test sets
        if name.startswith("ARCHIVE_") and name != "ARCHIVE_REQUIRE_SERVICES":
            monkeypatch.delenv(name)
    env = {
        "ARCHIVE_DATA_DIR": str(tmp_path / "var"),
        "ARCHIVE_INDEX_DIR": str(tmp_path / "index"),
        "ARCHIVE_MASTER_KEY": MasterKey.generate().to_text(),
        "ARCHIVE_SECRET_KEY": "withdrawal-everywhere-" + uuid4().hex,
        "ARCHIVE_TIMEZONE": "Asia/Almaty",
    }
    if request.param == "sqlite-local":
        return Deployment(request.param, env, tmp_path)

    server = request.getfixturevalue("postgres_server")
    endpoint = request.getfixturevalue("moto_endpoint")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKE", "AWS_SECRET_ACCESS_KEY": "fake-secret",
        "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"), "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    dbname = server.create_database(f"withdrawal_{uuid4().hex[:12]}")
    bucket = f"media-{uuid4().hex[:12]}"
    from media_store import S3MediaStore

    store = S3MediaStore(bucket, region=REGION, endpoint_url=endpoint)
    store.ensure_bucket(versioning=True)
    client = store._client
    assert client.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    env.update(
        ARCHIVE_DATABASE_URL=server.dsn(dbname),
        ARCHIVE_S3_BUCKET=bucket,
        ARCHIVE_S3_REGION=REGION,
        ARCHIVE_S3_ENDPOINT_URL=endpoint,
        ARCHIVE_TRUSTED_HOSTS="localhost",  # the test client's host
    )
    return Deployment(request.param, env, tmp_path, server, dbname, client, bucket)


# -- web helpers -------------------------------------------------------------------------------


def body_text(response: Any) -> str:
    """What a response says, with HTML entities and JSON escapes undone."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return html.unescape(response.get_data(as_text=True))


def without_query_echo(page: str) -> str:
    """A search page without the attributes that repeat the visitor's own query (the search
    box's value, the links of facets and pages): what is left is what the archive answered."""
    return re.sub(r'\s(?:value|href|action)="[^"]*"', "", page)


def tokens_in(text: str, tokens: Iterable[str] = TOKENS) -> list[str]:
    lowered = text.lower()
    return [token for token in tokens if token.lower() in lowered]


MEDIA_URL = re.compile(r"/media/([0-9a-f-]{36})/([0-9a-f-]{36})/(thumb|display|large)\.(webp|jpeg)")


# -- the test ------------------------------------------------------------------------------------


def test_a_contributor_withdraws_everything_and_it_is_gone_from_every_surface_and_store(deployment: Deployment):
    withdraw_everything_and_check_every_surface_and_store(deployment)


@pytest.mark.parametrize("deployment", ["sqlite-local"], indirect=True)
@pytest.mark.parametrize("instant", list(INSTANTS))
def test_the_withdrawal_reaches_everything_at_any_hour(deployment: Deployment, instant: str):
    """The same, with the clock just before and after midnight in Almaty (the archive's zone
    here) and in UTC: between 19:00 and 24:00 UTC it is already tomorrow in Almaty."""
    with clock.fixed_at(INSTANTS[instant][0]):
        withdraw_everything_and_check_every_surface_and_store(deployment)


def withdraw_everything_and_check_every_surface_and_store(deployment: Deployment) -> None:
    d = deployment
    settings = d.settings

    # 1. A curator records the contributor's artwork (two images) and testimony, consent, and
    #    an exhibition holding both (and a bystander's work), published.
    app = d.web_app()
    archive: ExhibitionArchive = app.extensions["archive"]
    today = archive.today()  # in the archive's zone (Asia/Almaty here), not the machine's
    follower_archive = open_archive(settings)  # the 'archive follow' worker's own application
    follower_index = open_search_index(settings, writable=True)
    follower = SearchFollower(follower_archive, follower_index)
    try:
        originals = {"image-1.png": patterned_image(1, "PNG"), "image-2.jpeg": patterned_image(2, "JPEG")}
        contributor = archive.contributors.register_contributor(name=CONTRIBUTOR_NAME, actor=CURATOR, contact="+7 700 000 0000")
        artwork, image_ids = archive.item_images.record_artwork_with_images(
            contributor_id=contributor,
            actor=CURATOR,
            images=[
                NewImage(originals["image-1.png"], alt_text={"en": f"Alt {ALT_EN}", "ru": f"Описание {ALT_RU}"},
                         caption={"en": f"Caption {CAPTION_EN}", "ru": f"Подпись {CAPTION_RU}"}),
                NewImage(originals["image-2.jpeg"], alt_text={"en": f"Second {ALT_EN} view", "ru": f"Второй {ALT_RU}"}),
            ],
            title={"en": TITLE_EN, "ru": TITLE_RU},
            description={"en": f"A quilt about {DESCRIPTION_EN} and silence.", "ru": f"Лоскутное {DESCRIPTION_RU} одеяло."},
            year=2024,
        )
        testimony = archive.cataloguing.record_testimony(
            contributor_id=contributor,
            actor=CURATOR,
            text={"en": f"I remember the {TESTIMONY_EN} hallway.", "ru": f"Я помню коридор {TESTIMONY_RU} ночью."},
            language="ru",
            title={"en": TESTIMONY_TITLE},
            content_note={"en": "Mentions violence."},
        )
        receipt = archive.consent.record_consent(artwork, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
        archive.consent.record_consent(testimony, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
        code = receipt.code
        assert code, "the first consent issued the contributor's code"

        bystander_person = archive.contributors.register_contributor(name="Bystander Person", actor=CURATOR)
        bystander, [bystander_image] = archive.item_images.record_artwork_with_images(
            contributor_id=bystander_person, actor=CURATOR, title={"en": BYSTANDER_TITLE},
            images=[NewImage(patterned_image(7, "PNG", size=(300, 200)), alt_text={"en": "A bystander's picture"})],
        )
        archive.consent.record_consent(bystander, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")

        exhibition = archive.curation.create_exhibition(
            slug=SLUG, actor=CURATOR, titles={"en": "Silent Room", "ru": "Тихая комната", "kk": "Tikha komnata"},
            city={"en": "Almaty"}, opens_on=date(2024, 4, 1), closes_on=date(2024, 4, 30),
        )
        archive.curation.add_to_exhibition(exhibition, artwork, actor=CURATOR, wall_text={"en": f"Step in: {WALL_TEXT}."})
        archive.curation.add_to_exhibition(exhibition, testimony, actor=CURATOR, wall_text={"ru": f"Слушайте. {WALL_TEXT}"})
        archive.curation.add_to_exhibition(exhibition, bystander, actor=CURATOR, wall_text={"en": "Another view."})
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)

        withdrawn_items = (artwork, testimony)
        subjects = (artwork, testimony, contributor)
        data_keys = {f"data key of {s}": archive.keys.get(s) for s in subjects}
        wrapped_keys = {f"wrapped key of {row[0]}": row[1] for row in archive.keys._rows() if row[0] in subjects}
        assert all(data_keys.values()) and len(wrapped_keys) == 3
        artwork_prefix = media_files.item_prefix(artwork)

        if d.s3 is not None:
            # History a versioned bucket keeps: a noncurrent version of a sealed original (an
            # object copied onto itself) and a delete marker over a stray object.
            original_key = media_files.original_key(artwork, image_ids[0])
            d.s3.copy_object(Bucket=d.bucket, Key=original_key, CopySource={"Bucket": d.bucket, "Key": original_key},
                             MetadataDirective="REPLACE", ContentType=media_files.SEALED_CONTENT_TYPE)
            stray = media_files.image_prefix(artwork, image_ids[1]) + "stray.webp"
            d.s3.put_object(Bucket=d.bucket, Key=stray, Body=archive.media.get(original_key))
            d.s3.delete_object(Bucket=d.bucket, Key=stray)
            versions, markers = d.bucket_versions(artwork_prefix)
            assert len(versions) == 2 * 7 + 2 and markers == [stray], "the bucket keeps the item's history"

        # 2. The follower catches up; a visitor views, searches and reads the API.
        assert follower.catch_up() > 0
        assert follower_index.position() == archive.recorder.max_notification_id()

        visitor = app.test_client()
        in_both_languages = [
            f"/exhibitions/{SLUG}", f"/items/{artwork}", f"/items/{testimony}?continue=1",
            *(f"/items/{artwork}/images/{image_id}" for image_id in image_ids),
        ]
        pages = [f"{page}{'&' if '?' in page else '?'}lang={lang}" for page in in_both_languages for lang in ("en", "ru")]
        pages += [
            "/?lang=en", "/exhibitions?lang=en", f"/exhibitions/{SLUG}/history?lang=en", f"/items/{testimony}?lang=en",
            f"/exhibitions/{SLUG}/as-of?date={today.isoformat()}&lang=en", "/about?lang=en",
        ]
        api = ["/api/v1/exhibitions", f"/api/v1/exhibitions/{SLUG}", *(f"/api/v1/items/{i}" for i in withdrawn_items)]
        seen_before: dict[str, str] = {}
        for path in pages + api:
            response = visitor.get(path)
            assert response.status_code == 200, path
            seen_before[path] = body_text(response)
        shown_before = "\n".join(seen_before.values())
        assert tokens_in(shown_before) == list(TOKENS), "every word is on some public surface before"
        for item in withdrawn_items:
            assert str(item) in seen_before[f"/api/v1/exhibitions/{SLUG}"]

        media_urls = sorted({m.group(0) for text in seen_before.values() for m in MEDIA_URL.finditer(text)})
        ours = [url for url in media_urls if str(artwork) in url]
        assert {(UUID(m[2]), m[3], m[4]) for m in map(MEDIA_URL.search, ours)} == {
            (image_id, name, fmt) for image_id in image_ids for name in media_files.DERIVATIVE_NAMES
            for fmt in media_files.DERIVATIVE_FORMATS
        }, "the pages link every rendition of both images"
        served: dict[str, bytes] = {}
        for url in ours:
            response = visitor.get(url)
            assert response.status_code == 200 and response.mimetype.startswith("image/"), url
            served[url] = response.get_data()
            item_id, image_id, name, fmt = MEDIA_URL.search(url).groups()
            assert archive.item_images.image_for_visitor(UUID(item_id), UUID(image_id), name, fmt).data == served[url]

        for token in INDEXED:
            page = visitor.get(f"/search?q={token}&lang=en").get_data(as_text=True)
            hits = visitor.get(f"/api/v1/search?q={token}").get_json()
            assert re.search(rf"/items/({artwork}|{testimony})", page), f"the search page finds {token}"
            assert tokens_in(without_query_echo(html.unescape(page))), f"the hit for {token} shows the item's words"
            assert {hit["id"] for hit in hits["hits"]} & {str(artwork), str(testimony)}, f"the API finds {token}"

        # The consent portal shows the contributor their items with thumbnails.
        portal = app.test_client()
        entered = portal.post("/consent", data={"csrf_token": csrf(portal, "/consent"), "code": code})
        assert entered.status_code == 303, entered.get_data(as_text=True)
        portal_before = body_text(portal.get("/consent/items"))
        assert TITLE_EN in portal_before
        thumbnails = re.findall(r'src="(/consent/items/[^"]+\.webp)', portal_before)
        assert len(thumbnails) == 1 and portal.get(thumbnails[0]).status_code == 200

        # Positive controls on the stores: the scans can see what they look for.
        index_before = d.index_files()
        assert index_before, "the index folder has files"
        assert not [t for t in INDEXED if not leaks(index_before, text_needles(t))], "each word is in the index files"
        assert not [t for t in INDEXED if not leaks(index_before, hash_needles(settings.search_dir, t))], \
            "each word's keyed hash is in the postings files"
        database_before = d.database_files()
        assert database_before, "the database files were found"
        assert leaks(database_before, text_needles(*TOKENS)) == [], "content is only ciphertext at rest"
        # The read models live in these same files (events.sqlite3, or the PostgreSQL database)
        # and hold the titles and the name, sealed: the scans above and below cover them.
        held = {s.id: s.title for s in archive.listings.item_summaries_by_id([artwork, testimony])}
        assert held == {artwork: {"en": TITLE_EN, "ru": TITLE_RU}, testimony: {"en": TESTIMONY_TITLE}}
        assert {c.id: c.name for c in archive.listings.all_contributor_summaries()}[contributor] == CONTRIBUTOR_NAME
        if d.pg is None:
            assert {"events.sqlite3", "keys.sqlite3"} <= {Path(path).name for path in database_before}
        assert len(leaks(database_before, wrapped_keys)) >= 3, "the scan sees the wrapped keys in the key table"
        image_needles = {**originals, **{f"served {url}": data for url, data in served.items()}}
        windows = WindowScanner(image_needles)
        for name, start, pad in (("image-1.png", 1001, 5000), ("image-2.jpeg", 7, 3), (f"served {ours[-1]}", -WINDOW, 11)):
            needle = image_needles[name]
            piece = needle[start : start + WINDOW or None]
            assert len(piece) == WINDOW
            assert name in windows.find(os.urandom(pad) + piece + os.urandom(97)), "the window scan finds any offset"
            # Pad with bytes unlike the needle's neighbours, so that chance cannot complete the window.
            at = start % len(needle)
            before = bytes([needle[at] ^ 0xFF])
            after = bytes([needle[at + WINDOW] ^ 0xFF]) if at + WINDOW < len(needle) else b""
            shortened = os.urandom(pad) + before + piece[1:] + after + os.urandom(97)
            assert windows.find(shortened) == [], "and only whole windows"
        stored = d.stored_media(archive, artwork_prefix)
        assert len(stored) == 2 * 7, "an original and six renditions per image are stored"
        for key, blob in stored.items():  # sealed with the item's key, which still opens them
            plain = media_files.unseal(data_keys[f"data key of {artwork}"], artwork, key, blob)
            assert plain in (*originals.values(), *served.values()), key
        assert leaks(stored, text_needles(*TOKENS), windows) == [], "stored media is sealed"

        # 3. The contributor withdraws everything from the portal.
        confirm = portal.get("/consent/withdraw-everything")
        assert confirm.status_code == 200 and "Withdraw everything" in confirm.get_data(as_text=True)
        done = portal.post("/consent/withdraw-everything", data={
            "csrf_token": csrf(portal, "/consent/withdraw-everything"), "confirm": "yes",
        })
        assert done.status_code == 303 and "/consent/receipts/" in done.headers["Location"]
        receipt_page = portal.get(done.headers["Location"])
        assert receipt_page.status_code == 200
        assert all(archive.get_item(item).is_withdrawn for item in withdrawn_items)
        assert [s.title for s in archive.listings.item_summaries_by_id(list(withdrawn_items))] == [{}, {}]
        assert {c.id: c.name for c in archive.listings.all_contributor_summaries()}[contributor] is None

        # 4. At once, before the follower runs again, no public surface shows any of it.
        assert follower_index.versions([str(artwork), str(testimony)]), "the index still lags behind"
        assert follower_index.position() < archive.recorder.max_notification_id()
        after: dict[str, str] = {}
        for path in pages + api:
            response = visitor.get(path)
            gone = f"/items/{artwork}" in path or f"/items/{testimony}" in path
            assert response.status_code == (404 if gone else 200), path
            after[path] = body_text(response)
        assert {path: tokens_in(text) for path, text in after.items() if tokens_in(text)} == {}
        for path in (f"/exhibitions/{SLUG}?lang=en", f"/api/v1/exhibitions/{SLUG}", f"/exhibitions/{SLUG}/as-of?date={today}&lang=en"):
            assert str(artwork) not in after[path] and str(testimony) not in after[path], path
            assert str(bystander) in after[path], "the bystander's work stays"
        for token in INDEXED:
            page = visitor.get(f"/search?q={token}&lang=en")
            hits = visitor.get(f"/api/v1/search?q={token}").get_json()
            assert page.status_code == 200 and not re.search(rf"/items/({artwork}|{testimony})", page.get_data(as_text=True))
            assert tokens_in(without_query_echo(body_text(page))) == [], token
            assert hits["hits"] == [] and hits["total"] == 0 and tokens_in(json.dumps(hits, ensure_ascii=False)) == []
        for url in ours:
            response = visitor.get(url)
            assert response.status_code == 404 and not served[url][:WINDOW] in response.get_data(), url
        for path in ("/consent/items", done.headers["Location"]):
            assert tokens_in(body_text(portal.get(path))) == [], path
        assert tokens_in(body_text(receipt_page)) == []
        assert portal.get(thumbnails[0]).status_code == 404

        # 5. The follower applies the withdrawal and purges; then no store holds any of it.
        assert follower.catch_up() > 0
        assert follower_index.versions([str(artwork), str(testimony)]) == {}
        assert follower.purge_if_due(force=True) >= 1, "segments holding the deleted documents were rewritten"
        assert not follower_index.has_deleted()
        assert str(bystander) in visitor.get(f"/search?q={BYSTANDER_TITLE}").get_data(as_text=True)

        needles = {**text_needles(*TOKENS), **hash_needles(settings.search_dir, *TOKENS), **data_keys, **wrapped_keys}
        index_after = d.index_files()
        database_after = d.database_files()
        local_after = d.local_files()
        assert index_after and database_after and local_after
        assert leaks(index_after, text_needles(BYSTANDER_TITLE)), "the index scan still sees what stays"
        scanned = {**database_after, **index_after, **local_after}
        assert leaks(scanned, needles, windows) == []
        if d.pg is not None:  # plaintext never reached PostgreSQL's write-ahead log either
            assert leaks(files_under(d.pg.data_dir / "pg_wal"), text_needles(*TOKENS)) == []
        assert d.stored_media(archive, artwork_prefix) == {}
        assert archive.media.list(media_files.item_prefix(bystander)), "the bystander's media stays"
        if d.s3 is not None:
            assert d.bucket_versions(artwork_prefix) == ({}, []), "no version and no delete marker is left"
            bucket_after, markers_after = d.bucket_versions()
            assert len(bucket_after) == 7 and markers_after == [], "only the bystander's objects are left"
            assert leaks(bucket_after, needles, windows) == []
        else:
            media_root = settings.data_dir / "media"
            assert not (media_root / artwork_prefix).exists()
            assert files_under(media_root), "the scan of the media folder is not empty"
    finally:
        follower_index.close()
        follower_archive.close()
        app.extensions["search"].close()
        archive.close()

    # Everything closed (SQLite's last connection folds its write-ahead log into the main
    # files; PostgreSQL checkpoints again): still nothing, anywhere.
    closed_files = {**d.database_files(), **d.index_files(), **d.local_files()}
    assert leaks(closed_files, needles, windows) == []

    # 6. A new application on the same storage and master key: redacted, unreadable, keyless.
    app = d.web_app()
    reopened: ExhibitionArchive = app.extensions["archive"]
    try:
        for item_id in withdrawn_items:
            item = reopened.get_item(item_id)
            assert item.is_withdrawn and item.is_redacted
            assert item.detail("title") is None and item.detail("text") is None
            assert not reopened.keys.exists(item_id)
            history = reopened.history(item_id)
            assert history[-1].what == "consent withdrawn"
            assert str(history[-1].summary) == "withdrawn by the contributor"
            assert tokens_in(" ".join(f"{e.what} {e.summary}" for e in history)) == []
        assert not reopened.keys.exists(contributor)
        assert not set(subjects) & set(reopened.keys.subject_ids())
        assert reopened.get_contributor(contributor).is_erased
        for image_id in image_ids:
            for name in media_files.DERIVATIVE_NAMES:
                for fmt in media_files.DERIVATIVE_FORMATS:
                    with pytest.raises(NotFound):
                        reopened.item_images.image_for_visitor(artwork, image_id, name, fmt)
                    with pytest.raises(NotFound):
                        reopened.item_images.image_for_curator(artwork, image_id, name, fmt)
        assert reopened.get_item(bystander).detail("title") == {"en": BYSTANDER_TITLE}
        assert reopened.item_images.image_for_visitor(bystander, bystander_image, "thumb", "webp").data

        visitor = app.test_client()
        for url in ours:
            assert visitor.get(url).status_code == 404
        for path in pages + api:
            response = visitor.get(path)
            assert tokens_in(body_text(response)) == [], path

        # The index rebuilt from the event log brings none of it back.
        assert rebuild(reopened, IndexFolders(settings.search_dir), search_index_opener(writable=True)) >= 2
        rebuilt = d.index_files()
        assert leaks(rebuilt, text_needles(BYSTANDER_TITLE))
        assert leaks(rebuilt, {**text_needles(*TOKENS), **hash_needles(settings.search_dir, *TOKENS)}) == []
    finally:
        app.extensions["search"].close()
        reopened.close()


@pytest.mark.parametrize("deployment", ["sqlite-local"], indirect=True)
def test_the_search_page_counts_nothing_withdrawn_while_the_index_lags(deployment: Deployment):
    settings = deployment.settings
    app = deployment.web_app()
    archive: ExhibitionArchive = app.extensions["archive"]
    follower_archive = open_archive(settings)
    follower_index = open_search_index(settings, writable=True)
    try:
        contributor = archive.contributors.register_contributor(name=CONTRIBUTOR_NAME, actor=CURATOR)
        testimony = archive.cataloguing.record_testimony(
            contributor_id=contributor, actor=CURATOR, text={"en": f"The {TESTIMONY_EN} hallway."},
            language="en", content_note={"en": "Mentions violence."},
        )
        archive.consent.record_consent(testimony, actor=CURATOR, scopes=ONLINE, attribution="named", text_version="v1")
        exhibition = archive.curation.create_exhibition(slug=SLUG, actor=CURATOR, titles={"en": "Silent Room"})
        archive.curation.add_to_exhibition(exhibition, testimony, actor=CURATOR)
        archive.curation.publish_exhibition(exhibition, actor=CURATOR)
        SearchFollower(follower_archive, follower_index).catch_up()
        visitor = app.test_client()
        assert 'class="facet-count"' in visitor.get(f"/search?q={NAME_FAMILY}").get_data(as_text=True)

        archive.self_service.withdraw_everything(contributor)  # what the portal's 'withdraw everything' does

        page = visitor.get(f"/search?q={NAME_FAMILY}").get_data(as_text=True)
        assert "0 results" in page
        assert visitor.get(f"/api/v1/search?q={NAME_FAMILY}").get_json()["facets"]["kind"] == []
        assert 'class="facet-count"' not in page, "a withdrawn item is still counted beside the results"
        assert SLUG not in without_query_echo(page), "nor is the exhibition it hung in named"
    finally:
        follower_index.close()
        follower_archive.close()
        app.extensions["search"].close()
        archive.close()
