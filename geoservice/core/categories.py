"""Concern categories, time bands, kinds and moderation statuses (SPEC §4).

This module is the single source of these codes: the database schema, the forms, the
API and every aggregate import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CATEGORIES",
    "CATEGORY_CODES",
    "EXCLUDED_STATUSES",
    "KINDS",
    "SAFE_REASONS",
    "SAFE_REASON_CODES",
    "STATUSES",
    "TIME_BANDS",
    "Category",
    "category_by_code",
    "codes_for_kind",
]


@dataclass(frozen=True, slots=True)
class Category:
    """One concern category with its Swedish and English label.

    Attributes
    ----------
    code : str
        Stable machine code stored with each concern, e.g. ``"drugs"``.
    label_sv : str
        Label shown in Swedish.
    label_en : str
        Label shown in English.
    """

    code: str
    label_sv: str
    label_en: str


CATEGORIES: tuple[Category, ...] = (
    Category("drugs", "Narkotika (handel, användning)", "Drugs (dealing, use)"),
    Category("lighting", "Dålig belysning, mörka platser", "Poor lighting, dark places"),
    Category("vandalism", "Skadegörelse, klotter", "Vandalism, graffiti"),
    Category("disorder", "Ordningsstörning, berusade personer", "Disorder, drunkenness"),
    Category("harassment", "Hot, trakasserier, ofredande", "Threats, harassment"),
    Category("traffic", "Trafik, fortkörning, buskörning", "Traffic, speeding, reckless driving"),
    Category("theft", "Inbrott, stöld", "Burglary, theft"),
    Category("littering", "Nedskräpning, förfallna platser", "Littering, neglected places"),
    Category(
        "environment",
        "Otrygg miljö (igenvuxet, ödsligt)",
        "Unsafe environment (overgrown, deserted)",
    ),
    Category("other", "Annat", "Other"),
)
"""The default category set, in the order forms and tables show them."""

CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
"""Category codes in display order."""

SAFE_REASONS: tuple[Category, ...] = (
    Category("safe_lighting", "Bra belysning", "Good lighting"),
    Category("safe_people", "Folk i rörelse", "People around"),
    Category("safe_kept", "Välskött och städat", "Well kept and tidy"),
    Category(
        "safe_staffed", "Bemannat (personal, vakter, butiker)", "Staffed (staff, guards, shops)"
    ),
    Category("safe_overlooked", "Syns från bostäder", "Visible from homes"),
    Category("safe_other", "Annat som gör platsen trygg", "Something else that makes it safe"),
)
"""Why a place feels safe: the reasons offered for ``kind == "safe"``, in display order.

A list of its own, so that a safe place never lands in a count of unsafe categories
(and no resident has to explain a safe place with "drugs" or "burglary").
"""

SAFE_REASON_CODES: tuple[str, ...] = tuple(c.code for c in SAFE_REASONS)
"""Safe-place reason codes in display order."""

TIME_BANDS: tuple[str, ...] = ("day", "evening", "night", "unknown")
"""Time-of-day bands: day 06–18, evening 18–22, night 22–06, or unknown."""

KINDS: tuple[str, ...] = ("unsafe", "safe")
"""Whether a place is marked as unsafe (the default) or as notably safe."""

STATUSES: tuple[str, ...] = (
    "new",
    "confirmed",
    "spam",
    "duplicate",
    "not_relevant",
    "handled",
)
"""Moderation statuses a concern can have."""

EXCLUDED_STATUSES: frozenset[str] = frozenset({"spam", "duplicate", "not_relevant"})
"""Statuses that take a concern out of every aggregate, map and statistic."""

_BY_CODE = {c.code: c for c in (*CATEGORIES, *SAFE_REASONS)}


def codes_for_kind(kind: str) -> tuple[str, ...]:
    """Return the category codes a concern of ``kind`` may carry.

    Parameters
    ----------
    kind : {"unsafe", "safe"}

    Returns
    -------
    tuple of str
        :data:`CATEGORY_CODES` for an unsafe place, :data:`SAFE_REASON_CODES` for a safe one.

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`KINDS`.
    """
    if kind == "unsafe":
        return CATEGORY_CODES
    if kind == "safe":
        return SAFE_REASON_CODES
    raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")


def category_by_code(code: str) -> Category:
    """Return the category or safe-place reason with the given code.

    Parameters
    ----------
    code : str
        A category code such as ``"lighting"`` or a reason such as ``"safe_people"``.

    Returns
    -------
    Category

    Raises
    ------
    ValueError
        If no category has that code.
    """
    try:
        return _BY_CODE[code]
    except KeyError:
        raise ValueError(
            f"unknown category {code!r}; expected one of "
            f"{', '.join((*CATEGORY_CODES, *SAFE_REASON_CODES))}"
        ) from None


# --- Partner event reports (EST) and safety-walk observations (issue 18) -----------------


@dataclass(frozen=True, slots=True)
class EventType:
    """One kind of event in the EST method's weekly reporting (Effektiv samordning för trygghet).

    Attributes
    ----------
    code : str
        Stable machine code stored with each event report, e.g. ``"graffiti"``.
    label_sv, label_en : str
        Labels shown in Swedish and English.
    concern_category : str
        The residents' category (SPEC §4) the event counts under when events and concerns
        are analysed together, so a category filter means the same for both sources.
    """

    code: str
    label_sv: str
    label_en: str
    concern_category: str


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("vandalism", "Skadegörelse", "Vandalism", "vandalism"),
    EventType("graffiti", "Klotter", "Graffiti", "vandalism"),
    EventType("littering", "Nedskräpning", "Littering", "littering"),
    EventType("unsafe_place", "Otrygg plats", "Unsafe place", "environment"),
    EventType("drug_dealing", "Misstänkt narkotikaförsäljning", "Suspected drug dealing", "drugs"),
    EventType(
        "disorderly_group",
        "Grupper som stör ordningen",
        "Groups disturbing public order",
        "disorder",
    ),
    EventType("fire", "Brand", "Fire", "other"),
    EventType("other", "Annat", "Other", "other"),
)
"""The EST event types, in the order the partner form shows them."""

EVENT_TYPE_CODES: tuple[str, ...] = tuple(t.code for t in EVENT_TYPES)
"""Event type codes in display order."""

SERIOUSNESS: tuple[int, ...] = (1, 2, 3)
"""How serious the reporter judges an event: 1 minor, 2 serious, 3 very serious."""

EVENT_SOURCES: tuple[str, ...] = ("residents", "partners", "both")
"""Which source an analysis reads: residents' concerns, partners' event reports, or both."""

_EVENT_BY_CODE = {t.code: t for t in EVENT_TYPES}


def event_type_by_code(code: str) -> EventType:
    """Return the EST event type with the given code.

    Raises
    ------
    ValueError
        If no event type has that code.
    """
    try:
        return _EVENT_BY_CODE[code]
    except KeyError:
        raise ValueError(
            f"unknown event type {code!r}; expected one of {', '.join(EVENT_TYPE_CODES)}"
        ) from None


@dataclass(frozen=True, slots=True)
class WalkCategory:
    """What a safety-walk observation (trygghetsvandring) is about.

    Attributes
    ----------
    code : str
        Stable machine code, e.g. ``"lighting"``.
    label_sv, label_en : str
        Labels shown in Swedish and English.
    """

    code: str
    label_sv: str
    label_en: str


WALK_CATEGORIES: tuple[WalkCategory, ...] = (
    WalkCategory(
        "lighting", "Mörkt, belysning saknas eller är trasig", "Dark, lighting missing or broken"
    ),
    WalkCategory("overgrown", "Igenvuxet, skymd sikt", "Overgrown, blocked view"),
    WalkCategory(
        "passage", "Otrygg passage, tunnel eller genväg", "Unsafe passage, underpass or shortcut"
    ),
    WalkCategory("gathering", "Plats där grupper samlas", "Place where groups gather"),
    WalkCategory("vandalism", "Skadegörelse, klotter", "Vandalism, graffiti"),
    WalkCategory("littering", "Nedskräpning, förfall", "Littering, neglect"),
    WalkCategory("traffic", "Trafikfara", "Traffic hazard"),
    WalkCategory("other", "Annat", "Other"),
)
"""Safety-walk observation categories, in the order the recording form shows them."""

WALK_CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in WALK_CATEGORIES)
"""Walk observation category codes in display order."""

ACTION_OWNERS: tuple[str, ...] = ("police", "municipality", "housing", "other")
"""Who owns a walk action: Polisen, Kommunen, the housing company, or another party."""

ACTION_STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "not_feasible")
"""A walk action's status; ``not_feasible`` ("inte genomförbart") needs a reason."""

__all__ += [
    "ACTION_OWNERS",
    "ACTION_STATUSES",
    "EVENT_SOURCES",
    "EVENT_TYPES",
    "EVENT_TYPE_CODES",
    "SERIOUSNESS",
    "WALK_CATEGORIES",
    "WALK_CATEGORY_CODES",
    "EventType",
    "WalkCategory",
    "event_type_by_code",
]
