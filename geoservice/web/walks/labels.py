"""Words of the safety-walk pages in the page's language: categories, owners, statuses."""

from __future__ import annotations

from flask_babel import gettext as _

from geoservice.core.categories import WALK_CATEGORIES
from geoservice.i18n import page_language


def walk_category_labels() -> dict[str, str]:
    """Observation categories in the page's language, in their order."""
    english = page_language() == "en"
    return {c.code: (c.label_en if english else c.label_sv) for c in WALK_CATEGORIES}


def owner_labels() -> dict[str, str]:
    """Who owns an action."""
    return {
        "police": _("Polisen"),
        "municipality": _("Kommunen"),
        "housing": _("Bostadsbolaget"),
        "other": _("Annan"),
    }


def action_status_labels() -> dict[str, str]:
    """An action's status."""
    return {
        "open": _("Inte påbörjad"),
        "in_progress": _("Pågår"),
        "done": _("Klar"),
        "not_feasible": _("Inte genomförbart"),
    }


def owner_text(owner: str | None, owner_name: str | None) -> str:
    """The owner as the protocol writes it: "Bostadsbolaget (Mellerudsbostäder)"."""
    if owner is None:
        return "–"
    label = owner_labels().get(owner, owner)
    if owner == "other" and owner_name:
        return owner_name
    return f"{label} ({owner_name})" if owner_name else label
