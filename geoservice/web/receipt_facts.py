"""What the receipt page tells the holder: every stored field, and how long each is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from geoservice.core import typography
from geoservice.i18n import any_category_labels, band_labels, page_language
from geoservice.store.models import Report


@dataclass(frozen=True)
class StoredField:
    """One stored field as the holder reads it; ``free_text`` for their own words."""

    key: str
    label: str
    value: str
    free_text: bool = False


def _place(report: Report, lang: str) -> str:
    if report.precision == "area":
        return _("Hela området, ingen punkt (en punkt mitt i området används för kartan)")
    where = (
        f"{typography.format_number(report.lat, lang, decimals=5)}, "
        f"{typography.format_number(report.lon, lang, decimals=5)}"
    )
    if report.precision == "cell":
        return _("Ungefärlig plats, gjord grövre efter lagringstiden: %(where)s", where=where)
    return _("En punkt på kartan: %(where)s", where=where)


def stored_fields(report: Report, area_name: str | None) -> list[StoredField]:
    """Every field stored about the concern, with its value, in the page's language.

    Nothing is left out: what the resident chose not to answer is said to be empty.
    """
    lang = page_language()
    empty = _("Inte besvarat")
    weekend = {None: _("Båda / vet inte"), False: _("Vardag"), True: _("Helg")}[report.weekend]
    roles = {"resident": _("Bor i kommunen"), "works": _("Arbetar här"), "visitor": _("Besökare")}
    ages = {
        "under_18": _("Under 18"),
        "18_29": "18–29",
        "30_49": "30–49",
        "50_64": "50–64",
        "65_plus": _("65 eller äldre"),
    }
    fields = [
        StoredField("created_at", _("Inskickad"), typography.format_local_time(report.created_at)),
        StoredField("area", _("Område"), area_name or "–"),
        StoredField("place", _("Plats"), _place(report, lang)),
        StoredField(
            "kind", _("Platsen känns"), _("Trygg") if report.kind == "safe" else _("Otrygg")
        ),
        StoredField(
            "category",
            _("Varför") if report.kind == "safe" else _("Kategori"),
            any_category_labels().get(report.category, report.category),
        ),
        StoredField("time_of_day", _("Tid på dygnet"), band_labels().get(report.time_of_day, "–")),
        StoredField("weekend", _("Vardag eller helg"), weekend),
        StoredField("description", _("Vad som händer"), report.description or empty, True),
        StoredField("suggestion", _("Ditt förslag"), report.suggestion or empty, True),
        StoredField("place_note", _("Var exakt"), report.place_note or empty, True),
        StoredField("role", _("Du är"), roles.get(report.role, empty)),
        StoredField("age_band", _("Ålder"), ages.get(report.age_band, empty)),
        StoredField(
            "client_key",
            _("Kod för din uppkoppling"),
            _(
                "En kod räknad ur din IP-adress och dagens datum, som byts varje dygn; "
                "adressen själv sparas inte. Den gör att flera synpunkter från samma "
                "uppkoppling samma dag räknas som en röst i analysen."
            )
            if report.client_key
            else empty,
        ),
    ]
    if report.internal_note:
        fields.append(
            StoredField(
                "internal_note",
                _("Intern anteckning"),
                _("Personalen har skrivit en anteckning om synpunkten (den visas bara för dem)."),
            )
        )
    return fields


def _after(report: Report, days: int) -> str:
    return typography.format_day(report.created_at + timedelta(days=days), page_language())


def retention_rules(report: Report) -> list[str]:
    """The retention rules in force (GEOSERVICE_RETENTION_*), as dates for this concern."""
    config = current_app.config
    text_days = int(config["RETENTION_TEXT_DAYS"])
    point_days = int(config["RETENTION_POINT_DAYS"])
    delete_days = int(config["RETENTION_DELETE_DAYS"])
    rules = []
    if text_days:
        rules.append(
            _(
                "Texterna (vad som händer, ditt förslag, var exakt, personalens anteckning) "
                "raderas %(days)s dagar efter att du skickade synpunkten, från %(date)s.",
                days=typography.format_number(text_days, page_language()),
                date=_after(report, text_days),
            )
        )
    else:
        rules.append(_("Texterna sparas tills du raderar synpunkten."))
    if report.precision == "point" and point_days:
        rules.append(
            _(
                "Den exakta punkten görs grövre (till mitten av en ruta på ungefär 130 meter) "
                "%(days)s dagar efter att du skickade synpunkten, från %(date)s.",
                days=typography.format_number(point_days, page_language()),
                date=_after(report, point_days),
            )
        )
    elif report.precision == "point":
        rules.append(_("Den exakta punkten sparas tills du raderar synpunkten."))
    if delete_days:
        rules.append(
            _(
                "Hela synpunkten raderas %(days)s dagar efter att du skickade den, från %(date)s.",
                days=typography.format_number(delete_days, page_language()),
                date=_after(report, delete_days),
            )
        )
    else:
        rules.append(
            _(
                "Resten (kategori, tid, område, svaren om dig) sparas tills du raderar "
                "synpunkten, så att utvecklingen kan följas år för år."
            )
        )
    return rules
