"""Emerging trend classes on generated monthly series whose trend is known."""

from __future__ import annotations

import numpy as np
import pytest

from geoservice.core.analysis.emerging import classify_series, emerging_trends

MONTHS = 24


def poisson(rates, seed):
    return np.random.default_rng(seed).poisson(rates).tolist()


SEEDS = range(20)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_rising_series_is_intensifying(seed):
    rates = np.linspace(1, 9, MONTHS)
    assert classify_series(poisson(rates, seed)).trend_class == "intensifying"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_falling_series_is_diminishing(seed):
    rates = np.linspace(9, 1, MONTHS)
    found = classify_series(poisson(rates, seed))
    assert found.trend_class == "diminishing" and found.slope < 0 and found.p < 0.05


def test_a_steady_series_is_persistent_mostly():
    # At alpha = 5 % about one steady series in twenty shows a trend by chance.
    classes = [classify_series(poisson(np.full(MONTHS, 4.0), s)).trend_class for s in range(100)]
    assert classes.count("persistent") >= 85
    assert set(classes) <= {"persistent", "intensifying", "diminishing"}


def test_a_place_quiet_until_the_last_months_is_new():
    counts = [0] * 21 + [2, 5, 4]
    assert classify_series(counts).trend_class == "new"


def test_on_and_off_without_trend_is_sporadic():
    counts = [0, 3, 0, 0, 2, 0, 0, 0, 4, 0, 0, 1, 0, 0, 3, 0, 0, 0, 2, 0, 0, 3, 0, 0]
    found = classify_series(counts)
    assert found.trend_class == "sporadic" and found.active_months == 7 and found.total == 18


def test_an_empty_series_has_no_class_and_a_short_one_no_trend_test():
    assert classify_series([0] * 12).trend_class == "none"
    short = classify_series([1, 2, 3, 4, 5])
    assert short.trend_class == "persistent" and short.p is None


def test_every_zone_is_classified_in_order_and_bad_series_are_refused():
    out = emerging_trends({"a": [0] * 23 + [3], "b": list(range(24))})
    assert [(t.zone, t.trend_class) for t in out] == [("a", "new"), ("b", "intensifying")]
    with pytest.raises(ValueError, match="as long"):
        emerging_trends({"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError, match="0 or more"):
        classify_series([1, -1, 2])
    with pytest.raises(ValueError, match="non-empty"):
        classify_series([])
    with pytest.raises(ValueError, match="alpha"):
        classify_series([1, 2], alpha=2)
