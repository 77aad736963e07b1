"""The period report keeps safe places apart: their suggestions' themes under their own reasons."""

from __future__ import annotations

from tests.core.reporting.test_period_report import KNOWN, build, concerns


def test_suggestions_of_safe_places_are_listed_under_their_reasons():
    rows = (*KNOWN, {"kind": "safe", "category": "safe_people", "suggestion": "Fler bänkar"})
    report = build(concerns(*rows))
    (theme,) = report.themes["safe_people"]
    assert (theme.count, theme.quotes) == (1, ("Fler bänkar",))
    assert report.suggestion_counts["safe_people"] == 1
    # The unsafe categories' figures are what they were without the safe place.
    assert report.suggestion_counts["lighting"] == 3
    assert "safe_kept" not in report.suggestion_counts  # a reason nobody gave is not listed
    assert int(report.categories["count"].sum()) == int(build().categories["count"].sum())
