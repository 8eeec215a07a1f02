"""Nothing of the domain reaches a visitor: every public page's template context, every public
API serializer's input, and every search document and hit hold only the visitor projection's
simple values (``archive.visible``), never an aggregate, an event, a ``Personal`` or a ``Consent``.

Every public route of the app is walked with the Silent Room demo (with its photographs) and a
real search index; the test fails if a public route exists that it did not visit.

Routes left out, and why:

* ``curate.*`` (the curators' workspace) and the curators' API (``web.api.curator``): another
  room, behind a login, that works on aggregates by design (issue 15 moves it to read models);
* ``consent.*`` (the contributor's consent portal): the contributor's own items, shown to the
  code holder whatever their consent allows visitors (that is its purpose), not a visitor view;
* ``static`` and ``/healthz``: no archive data.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

import pytest
from flask import before_render_template, request

from web.bootstrap import open_archive, open_search_index
import web.api.public as api_public
import web.api.representations as representations
from archive.search import documents as search_documents
from archive.search import queries as search_queries
from archive.config import Settings
from archive.services.demo import SLUG, load_demo
from archive.search import SearchQuery
from archive.search.follower import SearchFollower
from domain import clock
from web import create_app

#: A day the demo exhibition is open.
OPEN_DAY = datetime(2024, 4, 20, 12, tzinfo=timezone.utc)
#: Views of these modules are not visitor surfaces (see the module docstring).
OTHER_ROOMS = ("web.curate", "web.api.curator", "web.consent")
#: Context entries that Flask, Flask-WTF, Flask-Login and ``web.i18n`` add to every template.
FRAMEWORK_KEYS = frozenset(
    {"config", "request", "session", "g", "url_for", "get_flashed_messages", "csrf_token", "current_user",
     "lang"}
)
#: The serializers curators use (the curators' API): they take aggregates by design.
CURATOR_SERIALIZERS = frozenset({"curator_exhibition_json", "item_consent_json"})


def leaks(value: Any, where: str = "", seen: set[int] | None = None, *, in_view: bool = False) -> Iterator[str]:
    """Where (a path of attributes and keys) ``value`` holds what a visitor's page must not:
    an object of the domain or of eventsourcing (an aggregate, an event, ``Personal``,
    ``Consent``, a placement...) anywhere; and inside a view object (a dataclass), a mutable
    dict, list or set, or a dataclass that is not frozen: views hold simple immutable values."""
    seen = set() if seen is None else seen
    module = type(value).__module__ or ""
    if module.split(".")[0] in ("domain", "eventsourcing"):  # wherever it is met
        yield f"{where}: {type(value).__module__}.{type(value).__qualname__}"
        return
    if id(value) in seen or isinstance(value, (str, bytes, int, float, bool, date, UUID, type(None))):
        return
    seen.add(id(value))
    if in_view and isinstance(value, (dict, list, set)):
        yield f"{where}: a mutable {type(value).__name__} in a view"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            yield f"{where}: {type(value).__qualname__} is not frozen"
        for f in dataclasses.fields(value):
            yield from leaks(getattr(value, f.name), f"{where}.{f.name}", seen, in_view=True)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from leaks(key, f"{where}[key]", seen, in_view=in_view)
            yield from leaks(item, f"{where}[{key!r}]", seen, in_view=in_view)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for n, item in enumerate(value):
            yield from leaks(item, f"{where}[{n}]", seen, in_view=in_view)
    elif isinstance(value, types.MethodType):
        yield from leaks(value.__self__, f"{where}.__self__", seen)
    elif isinstance(value, types.FunctionType):  # a helper closing over something
        for n, cell in enumerate(value.__closure__ or ()):
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            yield from leaks(contents, f"{where}<closure {n}>", seen)
    elif module.split(".")[0] in ("archive", "web") and hasattr(value, "__dict__"):
        for name, item in vars(value).items():
            yield from leaks(item, f"{where}.{name}", seen)


def domain_objects(value: Any) -> list[str]:
    """Only the domain and eventsourcing objects ``value`` holds (see :func:`leaks`)."""
    return [w for w in leaks(value) if " in a view" not in w and "is not frozen" not in w]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo on SQLite with small photographs, a search index that has caught up, the app."""
    from media_store import make_sample_photo

    settings = Settings(data_dir=tmp_path_factory.mktemp("visitor-values") / "var")
    archive = open_archive(settings)
    load_demo(archive, lambda seed, title: make_sample_photo(seed, size=(320, 240), title=title))
    writer = open_search_index(settings, writable=True)
    SearchFollower(archive, writer).catch_up()
    reader = open_search_index(settings, writable=False)
    app = create_app({"TESTING": True, "ARCHIVE": archive, "SEARCH": reader, "SECRET_KEY": "test"})
    yield archive, reader, app
    reader.close()
    writer.close()
    archive.close()


def _public_urls(archive: Any) -> list[str]:
    """A URL for every public route and every visible thing of the demo."""
    items = [str(i) for i in archive.item_ids()]
    urls = ["/", "/exhibitions", f"/exhibitions/{SLUG}", f"/exhibitions/{SLUG}/history",
            f"/exhibitions/{SLUG}/as-of", f"/exhibitions/{SLUG}/as-of?date=2024-03-01",
            f"/exhibitions/{SLUG}/as-of?date=2024-04-20", "/about", "/search?q=room", "/search?kind=testimony",
            f"/search?exhibition={SLUG}", "/api/v1/openapi.json", "/api/v1/exhibitions",
            f"/api/v1/exhibitions/{SLUG}", "/api/v1/search?q=room", f"/api/v1/search?exhibition={SLUG}",
            "/api/v1/", "/api/v1/no-such-thing", "/favicon.ico"]
    for item_id in items:
        urls += [f"/items/{item_id}", f"/items/{item_id}?continue=1&exhibition={SLUG}", f"/api/v1/items/{item_id}"]
        item = archive.get_item(UUID(item_id))
        for image_id, image in item.images.items():
            urls.append(f"/items/{item_id}/images/{image_id}")
            for d in image.value.get("media", {}).get("derivatives", []):
                urls.append(f"/media/{item_id}/{image_id}/{d['name']}.{d['format']}")
    return urls


def _is_public(app: Any, endpoint: str) -> bool:
    module = app.view_functions[endpoint].__module__
    return endpoint not in ("static", "healthz") and not module.startswith(OTHER_ROOMS)


def test_no_domain_object_reaches_a_public_template_or_serializer(demo, monkeypatch):
    archive, _, app = demo
    found: list[str] = []
    visited: set[str] = set()

    def check_context(sender: Any, template: Any, context: dict[str, Any], **extra: Any) -> None:
        if not _is_public(app, request.endpoint or "static"):
            return
        for key, value in context.items():
            if key not in FRAMEWORK_KEYS:
                found.extend(f"{request.path} {template.name}: {key}{w}" for w in leaks(value))

    def checked(name: str, serializer: Any) -> Any:
        def serialize(*args: Any, **kwargs: Any) -> Any:
            found.extend(f"{request.path} {name}(){w}" for w in leaks((args, kwargs)))
            return serializer(*args, **kwargs)

        return serialize

    for name, value in vars(representations).items():
        if name.endswith("_json") and name not in CURATOR_SERIALIZERS and callable(value):
            monkeypatch.setattr(representations, name, checked(name, value))
            if getattr(api_public, name, None) is value:
                monkeypatch.setattr(api_public, name, checked(name, value))

    app.before_request(lambda: visited.add(request.url_rule.rule) if request.url_rule else None)
    before_render_template.connect(check_context, app)
    try:
        with clock.fixed_at(OPEN_DAY):
            client = app.test_client()
            for url in _public_urls(archive):
                response = client.get(url)
                assert response.status_code in (200, 404), (url, response.status_code)
    finally:
        before_render_template.disconnect(check_context, app)

    public_rules = {rule.rule for rule in app.url_map.iter_rules() if _is_public(app, rule.endpoint)}
    assert public_rules - visited == set()
    assert found == []


def test_search_documents_and_hits_hold_only_values(demo):
    archive, reader, _ = demo
    with clock.fixed_at(OPEN_DAY):
        exhibitions = search_documents.ExhibitionMap.of(archive.get_exhibition(e) for e in archive.exhibition_ids())
        documents = [
            search_documents.document_for(archive, aggregate_id, exhibitions)
            for aggregate_id in [*archive.item_ids(), *archive.exhibition_ids()]
        ]
        results = [
            search_queries.search(archive, reader, SearchQuery(text=text))
            for text in ("room", "silent", "testimony", "")
        ]
    assert sum(d is not None for d in documents) >= 4
    assert sum(len(r.hits) for r in results) >= 2
    # A document is the index's input (plain dicts by design): only no domain object in it.
    assert domain_objects(documents) == []
    assert list(leaks(results)) == []


def test_the_walk_finds_a_domain_object_wherever_it_hides(demo):
    archive, _, _ = demo
    item = archive.get_item(next(iter(archive.item_ids())))

    @dataclasses.dataclass(frozen=True)
    class Holder:
        value: Any

    hiding = {"in a list": [item], "in a view": Holder((item.details,)), "in a closure": lambda: item,
              "a bound method": item.allows, "a consent": Holder(tuple(filter(None, [item.consent])))}
    found = list(leaks(hiding))

    assert [key for key in hiding if not any(f"[{key!r}]" in w for w in found)] == []
    assert list(leaks(Holder(types.MappingProxyType({"en": ("a", date(2024, 1, 1))})))) == []
    assert list(leaks(Holder({"en": "a"}))) == [".value: a mutable dict in a view"]
