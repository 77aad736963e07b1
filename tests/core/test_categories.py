"""The category list of SPEC §4 and the other fixed codes."""

from __future__ import annotations

import dataclasses

import pytest

from geoservice.core.categories import (
    CATEGORIES,
    CATEGORY_CODES,
    EXCLUDED_STATUSES,
    KINDS,
    STATUSES,
    TIME_BANDS,
    category_by_code,
)


def test_default_categories_in_spec_order():
    assert CATEGORY_CODES == (
        "drugs",
        "lighting",
        "vandalism",
        "disorder",
        "harassment",
        "traffic",
        "theft",
        "littering",
        "environment",
        "other",
    )
    assert all(c.label_sv and c.label_en for c in CATEGORIES)


def test_category_is_frozen_and_found_by_code():
    drugs = category_by_code("drugs")

    assert drugs.label_sv == "Narkotika (handel, användning)"
    assert drugs.label_en == "Drugs (dealing, use)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        drugs.code = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="unknown category 'ufo'"):
        category_by_code("ufo")


def test_bands_kinds_and_statuses():
    assert TIME_BANDS == ("day", "evening", "night", "unknown")
    assert KINDS == ("unsafe", "safe")
    assert sorted(EXCLUDED_STATUSES) == ["duplicate", "not_relevant", "spam"]
    assert EXCLUDED_STATUSES.issubset(STATUSES)
