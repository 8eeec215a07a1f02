"""Interface languages: English, Russian and Kazakh, through Flask-Babel catalogs.

The visitor's language comes from ``?lang=`` (carried in every link, so nothing is stored on
a possibly shared device), else the browser's preference, else English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, g, request, url_for
from babel import Locale
from flask_babel import Babel, format_date, format_datetime, get_translations
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

from archive.errors import ArchiveError, ChangedMeanwhile
from archive.media_ports.ports import MediaError
from domain.errors import DomainError
from domain.languages import SUPPORTED_LANGUAGES, pick
from web.history_words import changes
from web.site_urls import site_url
from web.url_args import link_args

babel = Babel()


def language() -> str:
    """The visitor's interface and content language, chosen once a request and kept in ``g``,
    where Flask-Babel keeps the locale chosen from it (templates ask once a row)."""
    if not request:
        return "en"
    found = g.get("_interface_language")
    if found is None:
        found = g._interface_language = _asked_language()
    return found


def _asked_language() -> str:
    asked = request.args.get("lang")
    if asked in SUPPORTED_LANGUAGES:
        return asked
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "en"


#: Each interface language's Babel locale, made once: Flask-Babel parses a selector's string
#: on every request, and parsing one looks for its data file on disk.
_LOCALES = {code: Locale.parse(code) for code in SUPPORTED_LANGUAGES}


def interface_locale() -> Locale:
    """Flask-Babel's locale selector: :func:`language` as its Babel locale."""
    return _LOCALES[language()]


def text_language(texts: Mapping[str, str] | None, lang: str) -> str:
    """The language the text shown for ``lang`` is really in (for the ``lang`` attribute)."""
    if not texts or lang in texts:
        return lang
    return next((code for code in SUPPORTED_LANGUAGES if code in texts), lang)


def this_page_in(lang: str) -> str:
    """The current page's URL with its arguments, in another language."""
    if request.url_rule is None:  # no page matched (a 404, an untrusted host): the home page
        return url_for("exhibitions.index", lang=lang)
    route = request.view_args or {}
    args = link_args(request.args, route)
    args["lang"] = [lang]
    return url_for(request.url_rule.endpoint, **route, **args)


def _translations() -> Any:
    """This request's catalog, looked up once: the interface language is chosen once per
    request, and Flask-Babel's own template callables look it up again for every string
    (about 12 us each, 20 strings on every public page)."""
    found = g.get("_interface_translations")
    if found is None:
        found = g._interface_translations = get_translations()
    return found


def install_template_translations(app: Flask) -> None:
    """Templates' ``_``/``gettext``/``ngettext`` (after ``babel.init_app``): Flask-Babel's,
    but reading this request's catalog once (:func:`_translations`); ``_`` and ``gettext``
    are :func:`_template_gettext`."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """A template's ``_("...")``, as Jinja's new-style gettext does it (the translation marked
    safe where the template escapes, then always ``%``-formatted with ``variables``), in one
    call: Jinja's own goes through three calls of the template context (its ``_`` alias, its
    wrapper, the catalog function), about a third of a page's frame in a profile of /about."""
    found = _translations().ugettext(string)
    return (Markup(found) if eval_ctx.autoescape else found) % variables


def template_helpers() -> dict[str, Any]:
    """A page's ``lang``: the one helper that is a value. Macros call ``language()``."""
    return {"lang": language()}


def install_template_helpers(app: Flask) -> None:
    """The helpers every template and macro calls, as Jinja globals that read this request's
    language when called.

    Globals, not a context processor: a macro imported ``with context`` (or defined in the page)
    closes over the page's context, which holds the macro, so every render left a reference
    cycle keeping all its data (218 objects a contributor page) until a garbage collection,
    about 2 ms every 27 requests. Macros imported without context share one module per template.
    """
    app.jinja_env.globals.update(
        language=language,
        t=_pick_for_visitor,
        text_lang=_text_language_for_visitor,
        this_page_in=this_page_in,
        site_url=site_url,
        format_date=format_date,  # in the interface language
        format_datetime=format_datetime,  # in the archive's time zone (BABEL_DEFAULT_TIMEZONE)
    )


def _pick_for_visitor(texts: Mapping[str, str] | None) -> str:
    """``t(texts)``: the text in the visitor's language, else the first there is."""
    return pick(texts, language())


def _text_language_for_visitor(texts: Mapping[str, str] | None) -> str:
    """``text_lang(texts)``: the language ``t(texts)`` is really in."""
    return text_language(texts, language())


FIELD_PARAM = "field"


def attempt(action: Callable[[], Any]) -> tuple[Any, str | None]:
    """Run a use case; return (result, None), or (None, its refusal explained in the
    visitor's language) for a domain, archive or media error."""
    try:
        return action(), None
    except (DomainError, ArchiveError, MediaError) as error:
        return None, explain(error)


def explain(error: Exception) -> str:
    """An error's message in the visitor's language: its template translated, then filled in.

    A ``field`` parameter names a form field (marked for translation where it is defined) and
    is translated too; other parameters are values and stay as they are.
    """
    from flask_babel import gettext

    template = getattr(error, "template", None)
    if not template:
        return str(error)
    params = dict(getattr(error, "params", {}))
    label = params.get(FIELD_PARAM)
    if isinstance(label, str):
        params[FIELD_PARAM] = gettext(label)
    if isinstance(error, ChangedMeanwhile) and error.happened:
        params["changes"] = "; ".join(changes(error.happened))
    translated = gettext(template)
    try:
        return translated % params if params else translated
    except (KeyError, TypeError, ValueError):
        return str(error)
