"""Portal pages: enter a code, see your items, narrow or withdraw, keep the receipts.

Each page is a thin view over one of the contributor's use cases in
``archive.services.self_service``. Anything that is not the holder's (an unknown id, someone else's
item, a receipt of another code) is the same 404.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext

from archive.services.application import ExhibitionArchive
from archive.credentials.consent_codes import code_hash
from archive.services.self_service import CodeHolder
from domain.consent import ConsentStatus
from domain.contributors import RECEIPT_ACTIONS, Contributor, Receipt
from domain.items import Item
from web.consent import bp
from web.consent.forms import ChangeForm, CodeForm, WithdrawForm, describe, form_of
from web.consent.session import archive, close_portal, current_holder, lang_args as _lang, open_portal, portal_required
from web.i18n import attempt as _attempt
from web.rate_limits import describe_wait, give_back_attempt, limiter, private_key, seconds_to_wait

#: Where the quick exit goes: a neutral page that looks like any other browsing.
NEUTRAL_PAGE = "https://www.google.com/"
#: Failed code entries allowed per client address, and per code tried (whatever the address).
CLIENT_LIMITS = "10 per 10 minutes;30 per day"
CODE_LIMITS = "5 per hour"
#: Every code check takes at least this long, so that timing tells nothing about a code.
MIN_CHECK_SECONDS = 0.25


def _code_key() -> str:
    return private_key("consent-code", code_hash(CodeForm().code.data))


@bp.after_request
def never_indexed(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    return response


@bp.errorhandler(429)
def too_many_attempts(error: Exception) -> tuple[str, int, dict[str, str]]:
    """The code page without its form, saying how long to wait (also in ``Retry-After``)."""
    wait = seconds_to_wait()
    return render_template("consent/enter.html", error=gettext(
        "Too many attempts. For your safety, please wait %(wait)s before you try again.", wait=describe_wait(wait)
    ), limited=True), 429, {"Retry-After": str(wait)}


# -- entering a code ------------------------------------------------------------------------


@bp.route("", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("CONSENT_CLIENT_LIMITS", CLIENT_LIMITS), methods=["POST"])
@limiter.limit(lambda: current_app.config.get("CONSENT_CODE_LIMITS", CODE_LIMITS), key_func=_code_key, methods=["POST"])
def enter_code() -> Any:
    """The code form. Any wrong, old or malformed code gets the same message, after the same time.

    Every attempt is counted before it is checked (so parallel attempts cannot overrun the
    limits); a code that works gives its attempt back, so only failures use up the limits.
    """
    form = CodeForm()
    if form.is_submitted():
        started = time.monotonic()
        holder = archive().self_service.holder_of_code(form.code.data)
        remaining = current_app.config.get("CONSENT_MIN_CHECK_SECONDS", MIN_CHECK_SECONDS) - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        if holder is not None:
            give_back_attempt()
            open_portal(holder)
            return redirect(url_for("consent.your_items", **_lang()), 303)
        message = gettext("This code did not work. Check it against your receipt and try again, or ask the curators for a new one.")
        return render_template("consent/enter.html", error=message), 401
    if current_holder() is not None:
        return redirect(url_for("consent.your_items", **_lang()))
    return render_template("consent/enter.html")


@bp.post("/leave")
def leave() -> Any:
    """End the portal session on this browser."""
    close_portal()
    flash(gettext("You have left the consent pages. Nothing of your session stays on this browser but its history."), "info")
    return redirect(url_for("consent.enter_code", **_lang()), 303)


@bp.get("/exit")
def quick_exit() -> Any:
    """Quick exit: end the portal session and leave for a neutral page at once."""
    close_portal()
    return redirect(NEUTRAL_PAGE, 303)


# -- your items --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalItem:
    """One of the holder's items as the portal lists it."""

    item: Item
    status: ConsentStatus
    thumbnail: str | None
    receipt: Receipt | None

    @property
    def id(self) -> UUID:
        return self.item.id

    @property
    def title(self) -> dict[str, str]:
        return self.item.detail("title", {}) or {}


def _portal_item(item: Item, contributor: Contributor, today: date) -> PortalItem:
    thumbnail = None
    if not item.is_withdrawn:
        for image_id in item.images:
            if item.image_facts(image_id).has("thumb", "webp"):
                thumbnail = url_for("consent.thumbnail", item_id=item.id, image_id=image_id)
                break
    return PortalItem(item, item.status(today), thumbnail, contributor.withdrawal_receipt({item.id}))


def _own_item(holder: CodeHolder, item_id: UUID) -> Item:
    return archive().self_service.contributor_item(holder.contributor_id, item_id)


@bp.get("/items")
@portal_required
def your_items(holder: CodeHolder) -> Any:
    """The holder's items with their consent, and their receipts."""
    app = archive()
    contributor = app.get_contributor(holder.contributor_id)
    receipts = list(reversed(contributor.receipts))
    today = archive().today()
    items = [_portal_item(item, contributor, today) for item in app.self_service.items_of_contributor(holder.contributor_id)]
    return render_template(
        "consent/items.html", items=items, receipts=receipts, contributor=contributor,
        describe=describe, actions=RECEIPT_ACTIONS,
    )


@bp.get("/items/<uuid:item_id>/images/<uuid:image_id>.webp")
@portal_required
def thumbnail(holder: CodeHolder, item_id: UUID, image_id: UUID) -> Response:
    """A thumbnail of one of the holder's images, even while it is not public."""
    _own_item(holder, item_id)
    image = archive().item_images.image_for_curator(item_id, image_id, "thumb", "webp")
    return Response(image.data, mimetype=image.content_type)


# -- changing consent ---------------------------------------------------------------------------


@bp.route("/items/<uuid:item_id>", methods=["GET", "POST"])
@portal_required
def change(holder: CodeHolder, item_id: UUID) -> Any:
    """Change how an item is credited and shown: a form, a plain confirmation, then a receipt."""
    item = _own_item(holder, item_id)
    form = ChangeForm()
    contributor = archive().get_contributor(holder.contributor_id)
    if item.is_withdrawn or item.consent is None:
        flash(gettext("This item cannot be changed here any more."), "error")
        return redirect(url_for("consent.your_items", **_lang()), 303)
    context = {"item": item, "has_pseudonym": bool(contributor.pseudonym), "describe": describe}
    if not form.is_submitted():
        return render_template("consent/change.html", values=form_of(item.consent), **context)
    confirmed = form.confirm.data == "yes"
    wanted, error = (None, form.refusal())
    if error is None:
        wanted, error = _attempt(form.wanted)
    if error is None and not confirmed:
        split, error = _attempt(lambda: archive().self_service.preview_consent_change(holder.contributor_id, item.id, wanted))
    if error is None and not confirmed:
        cancels_request = item.consent_request is not None and not split.widening
        if split.is_empty and not cancels_request:
            flash(gettext("Nothing was changed: these are already your choices."), "info")
            return redirect(url_for("consent.your_items", **_lang()), 303)
        return render_template(
            "consent/confirm_change.html", values=form_of(wanted), split=split, cancels_request=cancels_request, **context
        )
    if error is None:
        receipt, error = _attempt(lambda: archive().self_service.change_consent_as_contributor(holder.contributor_id, item.id, wanted))
    if error is not None:
        return render_template("consent/change.html", values=form.submitted(), error=error, **context), 422
    if receipt is None:
        flash(gettext("Nothing was changed: these are already your choices."), "info")
        return redirect(url_for("consent.your_items", **_lang()), 303)
    return redirect(url_for("consent.receipt", reference=receipt.reference, **_lang()), 303)


# -- withdrawing ----------------------------------------------------------------------------------


@bp.route("/items/<uuid:item_id>/withdraw", methods=["GET", "POST"])
@portal_required
def withdraw(holder: CodeHolder, item_id: UUID) -> Any:
    """Withdraw one item for good, after a plain confirmation; repeating it is harmless."""
    item = _own_item(holder, item_id)
    form = WithdrawForm()
    if form.is_submitted() and form.confirm.data == "yes":
        receipt, error = _attempt(lambda: archive().self_service.withdraw_as_contributor(holder.contributor_id, item.id))
        return _after_withdrawal(receipt, error)
    if item.is_withdrawn:
        return _after_withdrawal(archive().get_contributor(holder.contributor_id).withdrawal_receipt({item.id}), None)
    return render_template("consent/confirm_withdraw.html", item=item, everything=False)


@bp.route("/withdraw-everything", methods=["GET", "POST"])
@portal_required
def withdraw_everything(holder: CodeHolder) -> Any:
    """Withdraw every item and erase the contributor's details, after a plain confirmation."""
    form = WithdrawForm()
    if form.is_submitted() and form.confirm.data == "yes":
        receipt, error = _attempt(lambda: archive().self_service.withdraw_everything(holder.contributor_id))
        return _after_withdrawal(receipt, error)
    items = archive().self_service.items_of_contributor(holder.contributor_id)
    remaining = [item for item in items if not item.is_withdrawn]
    return render_template("consent/confirm_withdraw.html", item=None, everything=True, remaining=remaining)


def _after_withdrawal(receipt: Receipt | None, error: str | None) -> Any:
    if error is not None:
        flash(error, "error")
    elif receipt is None:
        flash(gettext("This was already withdrawn by a curator on your behalf."), "info")
    else:
        return redirect(url_for("consent.receipt", reference=receipt.reference, **_lang()), 303)
    return redirect(url_for("consent.your_items", **_lang()), 303)


# -- receipts -----------------------------------------------------------------------------------------


@bp.get("/receipts/<reference>")
@portal_required
def receipt(holder: CodeHolder, reference: str) -> Any:
    """What was done, when, and its reference number; never any content."""
    found = archive().self_service.contributor_receipt(holder.contributor_id, reference)
    kinds = _kinds(archive(), found.item_ids)
    copies_pending = found.action.startswith("withdrawn") and archive().consent.media_removal_pending(found.item_ids)
    return render_template(
        "consent/receipt.html", receipt=found, kinds=kinds, describe=describe, actions=RECEIPT_ACTIONS,
        copies_pending=copies_pending,
    )


def _kinds(app: ExhibitionArchive, item_ids: tuple[UUID, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item_id in item_ids:
        kind = app.get_item(item_id).kind
        counts[kind] = counts.get(kind, 0) + 1
    return counts

