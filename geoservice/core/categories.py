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
