"""Workspace pages: the curators' tasks, each a thin view over one use case.

Each form is a WTForms class (``web.curate.forms``) whose token CSRFProtect has checked; every
change names the logged-in curator as its actor; malformed input, or a change the domain
refuses, re-renders the form (or returns to the page) with a clear message and records nothing.
Forms that change an item's consent or an exhibition carry the version of the record they were
filled in on: a submit based on an older version answers 409 with what changed meanwhile, and
the current record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from archive.services.application import ExhibitionArchive
from archive.services.item_images import NewImage
from archive.errors import ArchiveError, ChangedMeanwhile
from archive.services.name_review import review_list
from archive.read.models import ItemFilter
from domain import clock
from domain.consent import ConsentStatus, Scope
from domain.errors import N_, DomainError, InvalidValue, WideningNeedsConfirmation
from domain.items import ARTWORK, TESTIMONY, Item
from web.body_limits import accepts_uploads
from web.curate import bp
from web.consent.forms import describe
from web.curate.auth import archive
from web.i18n import attempt as _attempt
from web.i18n import explain, language
from web.curate.item_lines import item_lines_html
from web.site_urls import links_to
from web.forms import PostedForm
from web.curate.forms import (
    MAX_IMAGES_PER_FORM,
    AddImageForm,
    AddWorkForm,
    ArtworkForm,
    ConsentForm,
    ContributorForm,
    ExhibitionEditForm,
    MoveForm,
    NewExhibitionForm,
    RedactForm,
    TestimonyForm,
    VersionedForm,
    WallTextForm,
    WithdrawForm,
    form_values,
)

REASONS = {  # why visitors cannot see an item online (ItemSummary.hidden_reason); translated where shown
    ConsentStatus.NOT_RECORDED.value: N_("no consent recorded yet"),
    ConsentStatus.EXPIRED.value: N_("consent expired"),
    ConsentStatus.WITHDRAWN.value: N_("consent withdrawn"),
    "not_online": N_("not consented for online publication"),
}
KINDS = (ARTWORK, TESTIMONY)
#: How many of the contributors' pending requests the consent overview lists (oldest first).
REQUESTS_SHOWN = 200
#: How many matches the work picker shows.
PICKER_MATCHES = 20


def _submit(form: PostedForm, action: Callable[[], Any]) -> tuple[Any, str | None]:
    """Run a use case with a submitted form: (result, None), or (None, why the form or the use
    case refused it, in the visitor's language). A refused form runs nothing."""
    refusal = form.refusal()
    return (None, refusal) if refusal else _attempt(action)


def _refused(template: str, message: str, **context: Any) -> tuple[str, int]:
    return render_template(template, error=message, values=form_values(request.form), **context), 422


def _item_or_404(item_id: UUID) -> Item:
    return archive().get_item(item_id)


def _contributors(app: ExhibitionArchive) -> list[Any]:
    """Every contributor, for choosing one in a form (from the read model: no replay)."""
    return app.listings.all_contributor_summaries()


def _page_number() -> int:
    """The ``page`` argument of a listing (1 when absent or not a small positive number)."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _item_filter(**fixed: Any) -> tuple[ItemFilter, dict[str, str]]:
    """The listing filter from the ``kind`` and ``status`` arguments (unknown values are
    ignored), and the arguments to keep in the pager's links."""
    kind = request.args.get("kind", "")
    status = request.args.get("status", "")
    kept = {}
    where = ItemFilter(**fixed)
    if kind in KINDS:
        where, kept["kind"] = replace(where, kind=kind), kind
    if status in {s.value for s in ConsentStatus}:
        where = replace(where, status=ConsentStatus(status), on=archive().today())
        kept["status"] = status
    return where, kept


# -- dashboard ---------------------------------------------------------------------------


@bp.get("/")
@login_required
def dashboard() -> Any:
    """Exhibitions (published or not), the items recorded last and the items changed last."""
    app = archive()
    items = item_lines_html(app.listings.recent_items(20), app.today(), language(), links_to("curate.item", "item_id"))
    return render_template(
        "curate/dashboard.html", exhibitions=app.listings.exhibition_summaries(), items=items,
        changed=app.listings.recent_items(10, by_update=True), today=app.today(),
    )


# -- contributors ------------------------------------------------------------------------


@bp.route("/contributors/new", methods=["GET", "POST"])
@login_required
def new_contributor() -> Any:
    """Register a contributor; their personal data is encrypted under their own key."""
    form = ContributorForm()
    if form.is_submitted():
        contributor_id, error = _submit(
            form,
            lambda: archive().contributors.register_contributor(
                name=form.name.data, pseudonym=form.pseudonym.data, contact=form.contact.data, actor=current_user.actor
            ),
        )
        if error:
            return _refused("curate/contributor_new.html", error, form=form)
        flash(gettext("Contributor registered."), "info")
        return redirect(url_for("curate.contributor", contributor_id=contributor_id))
    return render_template("curate/contributor_new.html", form=form, values={})


@bp.get("/contributors")
@login_required
def contributors() -> Any:
    """Contributors, a page at a time, with how many items each has."""
    return render_template("curate/contributors.html", page=archive().listings.contributor_summaries(_page_number()))


@bp.route("/contributors/<uuid:contributor_id>", methods=["GET"])
@login_required
def contributor(contributor_id: UUID) -> Any:
    app = archive()
    person = app.get_contributor(contributor_id)
    where, kept = _item_filter(contributor_id=contributor_id)
    page = app.listings.item_summaries(where, _page_number())
    lines = item_lines_html(page.rows, app.today(), language(), links_to("curate.item", "item_id"))
    return render_template("curate/contributor.html", person=person, page=page, lines=lines, kept=kept)


@bp.post("/contributors/<uuid:contributor_id>/code")
@login_required
def new_consent_code(contributor_id: UUID) -> Any:
    """Issue a new consent code (the old one stops working); shown once on a receipt."""
    code, error = _attempt(lambda: archive().contributors.issue_consent_code(contributor_id, current_user.actor))
    if error:
        flash(error, "error")
        return redirect(url_for("curate.contributor", contributor_id=contributor_id))
    person = archive().get_contributor(contributor_id)
    return render_template("curate/receipt.html", code=code, person=person, items=[], when=clock.now())


# -- items -------------------------------------------------------------------------------


def _new_item_images(item_id: UUID, form: AddImageForm) -> str | None:
    """Upload the images chosen in the form; a message if one was refused."""
    for n, upload, alt_text, caption in form.images():
        data = upload.read()
        _, error = _attempt(
            lambda data=data, alt_text=alt_text, caption=caption: archive().item_images.upload_image(
                item_id, data, actor=current_user.actor, alt_text=alt_text, caption=caption,
            )
        )
        if error:
            return gettext("Image %(n)d (%(name)s): %(error)s", n=n, name=upload.filename, error=error)
    return None


@bp.route("/artworks/new", methods=["GET", "POST"])
@accepts_uploads
@login_required
def new_artwork() -> Any:
    """Record an artwork with up to three images, each with its alt text."""
    form = ArtworkForm()
    people = _contributors(archive())
    if form.is_submitted():
        def record() -> UUID:
            item_id, _ = archive().item_images.record_artwork_with_images(
                contributor_id=form.contributor_id.data,
                actor=current_user.actor,
                images=[NewImage(upload.read(), alt, caption) for _, upload, alt, caption in form.images()],
                title=form.title.data,
                year=form.year.data,
                medium=form.medium.data,
                dimensions=form.dimensions.data,
                description=form.description.data,
                series=form.series.data,
                content_note=form.content_note.data,
            )
            return item_id

        item_id, error = _submit(form, record)
        if error:
            return _refused("curate/artwork_new.html", error, form=form, contributors=people, slots=MAX_IMAGES_PER_FORM)
        flash(gettext("Artwork recorded. Record the contributor's consent before it can be shown."), "info")
        return redirect(url_for("curate.item", item_id=item_id))
    return render_template(
        "curate/artwork_new.html", form=form, contributors=people, slots=MAX_IMAGES_PER_FORM, values={}
    )


@bp.route("/testimonies/new", methods=["GET", "POST"])
@login_required
def new_testimony() -> Any:
    """Record a testimony: text per language, its original language, a content note."""
    form = TestimonyForm()
    people = _contributors(archive())
    if form.is_submitted():
        item_id, error = _submit(
            form,
            lambda: archive().cataloguing.record_testimony(
                contributor_id=form.contributor_id.data,
                actor=current_user.actor,
                text=form.text.data,
                language=form.language.data,
                content_note=form.content_note.data,
                title=form.title.data,
            ),
        )
        if error:
            return _refused("curate/testimony_new.html", error, form=form, contributors=people)
        flash(gettext("Testimony recorded. Record the contributor's consent before it can be shown."), "info")
        return redirect(url_for("curate.item", item_id=item_id))
    return render_template("curate/testimony_new.html", form=form, contributors=people, values={})


@bp.get("/items/<uuid:item_id>")
@login_required
def item(item_id: UUID) -> Any:
    """An item as curators see it: content, images, consent, status."""
    return _item_page(_item_or_404(item_id))


def _item_page(found: Item, error: str | None = None, status: int = 200) -> tuple[str, int]:
    person = archive().get_contributor(found.contributor_id)
    return render_template(
        "curate/item.html", item=found, person=person, today=archive().today(),
        status=found.status(archive().today()), scopes=[s.value for s in Scope], values={}, describe=describe,
        review=review_list(archive(), found), error=error,
    ), status


@bp.post("/items/<uuid:item_id>/redactions")
@login_required
def redact(item_id: UUID) -> Any:
    """Leave a word or phrase out of everything visitors see of the item, for good."""
    _item_or_404(item_id)
    form = RedactForm()
    _, error = _submit(
        form, lambda: archive().cataloguing.redact_span(item_id, form.span.data, actor=current_user.actor, version=form.version.data)
    )
    flash(error or gettext("Redacted: visitors and search no longer see it."), "error" if error else "info")
    return redirect(url_for("curate.item", item_id=item_id) + "#review")


@bp.post("/items/<uuid:item_id>/images")
@accepts_uploads
@login_required
def add_images(item_id: UUID) -> Any:
    _item_or_404(item_id)
    form = AddImageForm()
    error = form.refusal() or _new_item_images(item_id, form)
    flash(error or gettext("Image added."), "error" if error else "info")
    return redirect(url_for("curate.item", item_id=item_id))


@bp.post("/items/<uuid:item_id>/consent")
@login_required
def consent(item_id: UUID) -> Any:
    """Record (first time) or update consent; a newly issued code is shown once on a receipt.

    A form filled in on an older version of the item is refused (409, with what changed). A
    change that would show more than the contributor's own latest choice leads to a separate
    confirmation (409) that shows their choice; it applies only when the curator ticks that
    they asked the contributor.
    """
    found = _item_or_404(item_id)
    form = ConsentForm()
    refusal = form.refusal()
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("curate.item", item_id=item_id))
    common = {"actor": current_user.actor, "scopes": form.scopes.data, "attribution": form.attribution.data,
              "expires_on": form.expires_on.data, "based_on": form.version.data}

    def record() -> Any:
        if found.consent is None:
            return archive().consent.record_consent(item_id, text_version=form.text_version.data, **common)
        archive().consent.update_consent(
            item_id, text_version=form.text_version.data or None, contributor_asked=form.contributor_asked.data == "yes",
            **common,
        )
        return None

    try:
        receipt = record()
    except ChangedMeanwhile as stale:
        return _item_page(_item_or_404(item_id), explain(stale), 409)
    except WideningNeedsConfirmation as widening:
        return _confirm_widening(found, form, widening)
    except (DomainError, ArchiveError) as refused:
        flash(explain(refused), "error")
        return redirect(url_for("curate.item", item_id=item_id))
    if receipt is not None and receipt.code:
        person = archive().get_contributor(found.contributor_id)
        return render_template("curate/receipt.html", code=receipt.code, person=person, items=[found], when=receipt.recorded_at)
    flash(gettext("Consent saved. It applies everywhere at once."), "info")
    return redirect(url_for("curate.item", item_id=item_id))


def _confirm_widening(found: Item, form: ConsentForm, widening: WideningNeedsConfirmation) -> tuple[str, int]:
    """The separate step before showing more than the contributor chose: their choice, and when."""
    error = None
    if form.confirming.data == "yes":
        error = gettext("Tick the box to say that the contributor confirmed this change.")
    return render_template(
        "curate/consent_confirm.html", item=found, widening=widening.widening,
        choice=widening.choice, chosen_at=widening.chosen_at, values=form_values(request.form),
        scopes=form.scopes.data, describe=describe, error=error,
    ), 409


@bp.post("/items/<uuid:item_id>/withdraw")
@login_required
def withdraw(item_id: UUID) -> Any:
    """Withdraw on the contributor's behalf; needs the confirmation box ticked. Cannot be undone."""
    _item_or_404(item_id)
    if WithdrawForm().confirm.data != "yes":
        flash(gettext("Tick the box to confirm: withdrawal cannot be undone."), "error")
        return redirect(url_for("curate.item", item_id=item_id))
    _, error = _attempt(lambda: archive().consent.withdraw(item_id, actor=current_user.actor))
    flash(error or gettext("Consent withdrawn: the content is gone for good."), "error" if error else "info")
    return redirect(url_for("curate.item", item_id=item_id))


@bp.post("/items/<uuid:item_id>/decline-request")
@login_required
def decline_request(item_id: UUID) -> Any:
    """Close a contributor's request to show more, leaving consent as it is."""
    _item_or_404(item_id)
    form = VersionedForm()
    try:
        refusal = form.refusal()
        if refusal:
            flash(refusal, "error")
            return redirect(url_for("curate.item", item_id=item_id))
        archive().consent.decline_consent_request(item_id, actor=current_user.actor, based_on=form.version.data)
    except ChangedMeanwhile as stale:
        return _item_page(_item_or_404(item_id), explain(stale), 409)
    except (DomainError, ArchiveError) as refused:
        flash(explain(refused), "error")
    else:
        flash(gettext("The request is closed; consent is unchanged."), "info")
    return redirect(url_for("curate.item", item_id=item_id))


@bp.get("/items/<uuid:item_id>/images/<uuid:image_id>/<name>.<fmt>")
@login_required
def image(item_id: UUID, image_id: UUID, name: str, fmt: str) -> Any:
    served = archive().item_images.image_for_curator(item_id, image_id, name, fmt)
    response = Response(served.data, mimetype=served.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- history and consent overview -------------------------------------------------------


@bp.get("/history/<uuid:aggregate_id>")
@login_required
def history(aggregate_id: UUID) -> Any:
    """The history of any item, contributor or exhibition: when, who, what; no withdrawn content."""
    entries = archive().history(aggregate_id)
    return render_template("curate/history.html", entries=entries, aggregate_id=aggregate_id)


@bp.get("/consent")
@login_required
def consent_overview() -> Any:
    """Which items visitors cannot see, and why; and contributors' requests to show more."""
    app = archive()
    today = app.today()
    where, kept = _item_filter(hidden_on=today)
    page = app.listings.item_summaries(where, _page_number())
    rows = [(found, REASONS[found.hidden_reason(today)]) for found in page.rows]
    requests = app.listings.item_summaries(ItemFilter(requests_only=True), size=REQUESTS_SHOWN)
    return render_template(
        "curate/consent_overview.html", rows=rows, page=page, kept=kept, requests=requests, today=today,
        describe=describe,
    )


# -- exhibitions -------------------------------------------------------------------------


@bp.route("/exhibitions/new", methods=["GET", "POST"])
@login_required
def new_exhibition() -> Any:
    form = NewExhibitionForm()
    if form.is_submitted():
        slug = form.slug.data
        _, error = _submit(form, lambda: archive().curation.create_exhibition(slug=slug, actor=current_user.actor, **form.details()))
        if error:
            return _refused("curate/exhibition_form.html", error, form=form, exhibition=None)
        flash(gettext("Exhibition created (not published)."), "info")
        return redirect(url_for("curate.exhibition", slug=slug))
    return render_template("curate/exhibition_form.html", form=form, exhibition=None, values={})


def _exhibition_or_404(slug: str) -> Any:
    return archive().exhibition_by_slug(slug)


@bp.route("/exhibitions/<slug>", methods=["GET", "POST"])
@login_required
def exhibition(slug: str) -> Any:
    """Edit an exhibition's details, and arrange its works."""
    shown = _exhibition_or_404(slug)
    form = ExhibitionEditForm()
    if form.is_submitted():
        try:
            refusal = form.refusal()
            if refusal:
                return _refused("curate/exhibition_form.html", refusal, exhibition=shown, **_arrangement(shown))
            archive().curation.revise_exhibition(shown.id, actor=current_user.actor, based_on=form.version.data, **form.details())
        except ChangedMeanwhile as stale:
            return _exhibition_page(slug, explain(stale), 409)
        except (DomainError, ArchiveError) as refused:
            return _refused("curate/exhibition_form.html", explain(refused), exhibition=shown, **_arrangement(shown))
        flash(gettext("Exhibition saved."), "info")
        return redirect(url_for("curate.exhibition", slug=slug))
    return _exhibition_page(slug)


def _exhibition_page(slug: str, error: str | None = None, status: int = 200) -> tuple[str, int]:
    """The exhibition's form filled with its stored values (after a stale submit: the current ones)."""
    shown = _exhibition_or_404(slug)
    values = {f"{name}_{lang}": text for name in ("titles", "organiser", "venue", "city", "statement")
              for lang, text in shown.field(name).items()}
    for name in ("opens_on", "closes_on"):
        values[name] = shown.field(name).isoformat() if shown.field(name) else ""
    return render_template(
        "curate/exhibition_form.html", exhibition=shown, values=values, error=error, **_arrangement(shown)
    ), status


def _arrangement(shown: Any) -> dict[str, Any]:
    """The exhibition's works (from the read model) and the work picker's current matches."""
    app = archive()
    works = {summary.id: summary for summary in app.listings.item_summaries_by_id(shown.item_ids)}
    placed = [(p, works[p.item_id]) for p in shown.placements if p.item_id in works]
    return {"placed": placed, "today": app.today(), **_candidates(shown.id)}


def _candidates(exhibition_id: UUID) -> dict[str, Any]:
    """The work picker: items not withdrawn and not hung here whose title contains the ``q``
    argument (the newest first when it is empty), optionally of one ``kind``."""
    query = (request.args.get("q") or "")[:200]
    kind = request.args.get("kind", "")
    where = ItemFilter(unless_in=exhibition_id, live_only=True, kind=kind if kind in KINDS else None)
    matches, more = archive().listings.find_items(query, where, limit=PICKER_MATCHES)
    return {"candidates": matches, "more_candidates": more, "query": query, "kind": where.kind or ""}


@bp.get("/exhibitions/<slug>/candidates")
@login_required
def candidates(slug: str) -> Any:
    """The work picker's matches alone (the editor's script asks for them as the curator types)."""
    shown = _exhibition_or_404(slug)
    return render_template("curate/_candidates.html", exhibition=shown, today=archive().today(), **_candidates(shown.id))


def _exhibition_action(slug: str, form: VersionedForm, action: Callable[[Any, int], Any], done: str) -> Any:
    """Run ``action(exhibition, version the form was filled in on)`` once ``form`` is sound; a
    stale form answers 409."""
    shown = _exhibition_or_404(slug)
    try:
        refusal = form.refusal()
        if refusal:
            flash(refusal, "error")
            return redirect(url_for("curate.exhibition", slug=slug) + "#arrangement")
        action(shown, form.version.data)
    except ChangedMeanwhile as stale:
        return _exhibition_page(slug, explain(stale), 409)
    except (DomainError, ArchiveError) as refused:
        flash(explain(refused), "error")
    else:
        flash(done, "info")
    return redirect(url_for("curate.exhibition", slug=slug) + "#arrangement")


@bp.post("/exhibitions/<slug>/works")
@login_required
def add_work(slug: str) -> Any:
    form = AddWorkForm()
    return _exhibition_action(
        slug, form,
        lambda shown, version: archive().curation.add_to_exhibition(
            shown.id, form.item_id.data, actor=current_user.actor, wall_text=form.wall.data, based_on=version,
        ),
        gettext("Work added."),
    )


@bp.post("/exhibitions/<slug>/works/<uuid:item_id>/wall-text")
@login_required
def wall_text(slug: str, item_id: UUID) -> Any:
    form = WallTextForm()
    return _exhibition_action(
        slug, form,
        lambda shown, version: archive().curation.revise_wall_text(
            shown.id, item_id, actor=current_user.actor, wall_text=form.wall.data, based_on=version
        ),
        gettext("Wall text saved."),
    )


@bp.post("/exhibitions/<slug>/works/<uuid:item_id>/remove")
@login_required
def remove_work(slug: str, item_id: UUID) -> Any:
    return _exhibition_action(
        slug, VersionedForm(),
        lambda shown, version: archive().curation.remove_from_exhibition(shown.id, item_id, actor=current_user.actor, based_on=version),
        gettext("Work removed."),
    )


@bp.post("/exhibitions/<slug>/works/<uuid:item_id>/move")
@login_required
def move_work(slug: str, item_id: UUID) -> Any:
    form = MoveForm()

    def move(shown: Any, version: int) -> None:
        order = list(shown.item_ids)
        if item_id not in order:
            raise InvalidValue("That work is not in this exhibition.")
        index = order.index(item_id)
        target = index - 1 if form.direction.data == "up" else index + 1
        if not 0 <= target < len(order):
            raise InvalidValue("The work is already at that end.")
        order[index], order[target] = order[target], order[index]
        archive().curation.reorder_exhibition(shown.id, order, actor=current_user.actor, based_on=version)

    return _exhibition_action(slug, form, move, gettext("Order saved."))


@bp.post("/exhibitions/<slug>/publish")
@login_required
def publish(slug: str) -> Any:
    return _exhibition_action(
        slug, VersionedForm(),
        lambda shown, version: archive().curation.publish_exhibition(shown.id, actor=current_user.actor, based_on=version),
        gettext("Published: visitors can see it."),
    )


@bp.post("/exhibitions/<slug>/unpublish")
@login_required
def unpublish(slug: str) -> Any:
    return _exhibition_action(
        slug, VersionedForm(),
        lambda shown, version: archive().curation.unpublish_exhibition(shown.id, actor=current_user.actor, based_on=version),
        gettext("Unpublished: hidden from visitors."),
    )
