"""What new events touch, for the page cache: by id and topic, everything when in doubt."""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from archive.read.log_changes import changes_after
from archive.read.page_dependencies import EVERYTHING, LISTING, depends_on, recording
from domain.contributors import Contributor
from domain.curators import ApiToken, Curator
from domain.exhibitions import Exhibition
from domain.indexes import Catalogue
from domain import items
from web.page_cache import PageCache


class Log:
    """A stand-in for the application recorder: notifications by id."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []

    def add(self, topic: str, originator_id: UUID | None = None, *, id: int | None = None) -> UUID:
        originator_id = originator_id or uuid4()
        number = id if id is not None else self.max_notification_id() + 1
        self.notifications.append(Notification(originator_id, 1, topic, b"sealed", number))
        return originator_id

    def select_notifications(self, start: int, limit: int, *args, **kwargs) -> list[Notification]:
        return [n for n in self.notifications if n.id >= start][:limit]

    def max_notification_id(self) -> int:
        return max((n.id for n in self.notifications), default=0)


def test_items_and_contributors_touch_their_ids_and_exhibitions_the_listing_too():
    log = Log()
    artwork = log.add(get_topic(items.Artwork.ConsentWithdrawn))
    testimony = log.add(get_topic(items.Testimony.Revised))
    contributor = log.add(get_topic(Contributor.ProfileRevised))
    exhibition = log.add(get_topic(Exhibition.Published))
    log.add(get_topic(Catalogue.ExhibitionListed))
    changes = changes_after(log, 0)
    assert changes.position == 5
    assert changes.touched == {artwork, testimony, contributor, exhibition, LISTING}


def test_tokens_and_curator_accounts_touch_nothing():
    log = Log()
    log.add(get_topic(ApiToken.Used))
    log.add(get_topic(Curator.PasswordChanged))
    changes = changes_after(log, 0)
    assert (changes.position, changes.touched) == (2, frozenset())


def test_an_unknown_kind_of_event_a_gap_or_too_many_events_touch_everything():
    unknown = Log()
    unknown.add(get_topic(items.Artwork.Revised))
    unknown.add("somewhere.else:Thing.Happened")
    assert changes_after(unknown, 0).everything
    gap = Log()
    gap.add(get_topic(items.Artwork.Revised), id=1)
    gap.add(get_topic(items.Artwork.Revised), id=3)
    assert changes_after(gap, 0).everything
    assert changes_after(gap, 1).everything  # the first one after the position is missing
    many = Log()
    for _ in range(6):
        many.add(get_topic(ApiToken.Used))
    assert changes_after(many, 0, limit=5).everything
    assert changes_after(many, 0, limit=5).position == 6


def test_nothing_new_touches_nothing():
    log = Log()
    log.add(get_topic(items.Artwork.Revised))
    assert changes_after(log, 1).touched == frozenset() and changes_after(log, 1).position == 1


def cache_over(log: Log) -> PageCache:
    return PageCache(lambda position: changes_after(log, position), log.max_notification_id)


def test_a_page_built_while_its_change_was_noticed_elsewhere_is_not_kept():
    log = Log()
    item = log.add(get_topic(items.Artwork.Recorded))
    cache = cache_over(log)

    def build_while_withdrawn() -> str:
        depends_on(item)
        log.add(get_topic(items.Artwork.ConsentWithdrawn), item)  # committed while the page is built ...
        cache.get_or_render(("other",), lambda: "other page")  # ... and noticed by another request
        return "page read before the withdrawal"

    cache.get_or_render(("page",), build_while_withdrawn)
    assert cache.get_or_render(("page",), lambda: "built again") == "built again"


def test_a_page_that_recorded_nothing_depends_on_everything_a_visitor_could_see():
    log = Log()
    cache = cache_over(log)
    cache.get_or_render(("page",), lambda: "first")
    log.add(get_topic(ApiToken.Used))
    assert cache.get_or_render(("page",), lambda: "second") == "first"
    log.add(get_topic(items.Artwork.Revised))
    assert cache.get_or_render(("page",), lambda: "third") == "third"


def test_dependencies_are_recorded_only_inside_a_recording():
    depends_on(uuid4())  # nothing records it
    with recording() as tags:
        depends_on(EVERYTHING)
    assert tags == {EVERYTHING}
