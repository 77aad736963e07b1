"""Staff form errors as a person reads them: the field named as on the form, what to write.

The store checks the forms and names each problem in English for logs and the CLI;
these functions put that into the page's language, one sentence per field.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _


def _limit(message: str) -> int | None:
    found = re.search(r"at most (\d+)", message)
    return int(found.group(1)) if found else None


def _text_problem(label: str, message: str, what: str) -> str:
    """Required / too long / not allowed characters, for a text field."""
    if message.startswith("required"):
        return _("%(field)s: skriv %(what)s.", field=label, what=what)
    limit = _limit(message)
    if limit is not None:
        return _("%(field)s: skriv högst %(n)s tecken.", field=label, n=limit)
    return _(
        "%(field)s: ta bort tecken som inte är vanlig text (t.ex. styrtecken) och skriv högst "
        "det antal tecken som fältet tar.",
        field=label,
    )


def _date_problem(label: str, message: str) -> str:
    if message.startswith("required"):
        return _("%(field)s: välj ett datum (eller skriv det som 2026-11-30).", field=label)
    if "before the start" in message:
        return _("%(field)s: välj en dag samma som eller efter starten.", field=label)
    return _("%(field)s: skriv ett datum som 2026-11-30 (år-månad-dag).", field=label)


def promise_messages(errors: dict[str, str]) -> dict[str, str]:
    """Messages for the promise form (year, title, focus areas, parties, signed, summary)."""
    out: dict[str, str] = {}
    for field, message in errors.items():
        if field == "year":
            out[field] = _(
                "%(field)s: skriv ett år mellan 2000 och 2100, t.ex. 2026.", field=_("År")
            )
        elif field == "title":
            out[field] = _text_problem(_("Rubrik"), message, _("en rubrik för löftet"))
        elif field == "parties":
            out[field] = _text_problem(
                _("Parter"), message, _("vilka som står bakom löftet, t.ex. Polisen och kommunen")
            )
        elif field == "summary":
            out[field] = _text_problem(_("Sammanfattning"), message, _("en sammanfattning"))
        elif field == "signed_on":
            out[field] = _date_problem(_("Undertecknat"), message)
        else:
            out[field] = message
    return out


def activity_messages(errors: dict[str, str]) -> dict[str, str]:
    """Messages for the activity form and its follow-up note."""
    out: dict[str, str] = {}
    for field, message in errors.items():
        if field == "title":
            out[field] = _text_problem(_("Aktivitet"), message, _("vad som ska göras"))
        elif field == "description":
            out[field] = _text_problem(_("Beskrivning"), message, _("en beskrivning"))
        elif field == "responsible":
            out[field] = _("%(field)s: välj Polisen, Kommunen eller båda.", field=_("Ansvarig"))
        elif field == "status":
            out[field] = _("%(field)s: välj Planerad, Pågår eller Genomförd.", field=_("Status"))
        elif field == "area_ids":
            out[field] = _("%(field)s: kryssa i ett eller flera områden.", field=_("Områden"))
        elif field == "categories":
            out[field] = _(
                "%(field)s: kryssa bara i kategorier ur listan (inga alls betyder alla).",
                field=_("Kategorier"),
            )
        elif field == "start_on":
            out[field] = _date_problem(_("Start"), message)
        elif field == "end_on":
            out[field] = _date_problem(_("Slut"), message)
        elif field == "text":
            out[field] = _text_problem(_("Ny anteckning"), message, _("vad som har hänt"))
        else:
            out[field] = message
    return out


def moderation_messages(errors: dict[str, str]) -> dict[str, str]:
    """Messages for the moderation form."""
    out: dict[str, str] = {}
    for field, message in errors.items():
        if field == "status":
            out[field] = _("%(field)s: välj en status i listan.", field=_("Status"))
        elif field == "category":
            out[field] = _("%(field)s: välj en kategori i listan.", field=_("Kategori"))
        elif field == "reason":
            out[field] = _text_problem(_("Motivering"), message, _("en kort motivering"))
        elif field == "note":
            out[field] = _text_problem(_("Intern anteckning"), message, _("en anteckning"))
        else:
            out[field] = message
    return out


def patrol_log_messages(errors: dict[str, str]) -> dict[str, str]:
    """Messages for the form that logs a patrol carried out (date, stops, note)."""
    out: dict[str, str] = {}
    for field, message in errors.items():
        if field == "carried_out_on":
            if "future" in message:
                out[field] = _("Datum: välj i dag eller en dag som har varit.")
            else:
                out[field] = _date_problem(_("Datum"), message)
        elif field == "cells":
            out[field] = _("Besökta stopp: kryssa i de stopp (högst 12) som besöktes.")
        elif field == "note":
            out[field] = _text_problem(_("Kort anteckning"), message, _("en kort anteckning"))
        else:
            out[field] = _("Patrullen kunde inte loggas: ladda om sidan och försök igen.")
    return out
