"""Before/after counts around a walk action's spot, by hand."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from geoservice.core.reporting.followup import FollowUpUnavailable
from geoservice.core.typography import LOCAL_ZONE
from geoservice.core.walks.measures import nearby_before_after

SPOT = (12.4535, 58.7005)


def reports(*rows):
    return pd.DataFrame(
        [
            {
                "lon": lon,
                "lat": lat,
                "created_at": datetime.fromisoformat(when).replace(tzinfo=LOCAL_ZONE),
            }
            for lon, lat, when in rows
        ],
        columns=["lon", "lat", "created_at"],
    )


def test_reports_within_200_m_in_equal_windows():
    # About 150 m north of the spot (0.00135° of latitude), and about 330 m north.
    near, far = (SPOT[0], SPOT[1] + 0.00135), (SPOT[0], SPOT[1] + 0.003)
    data = reports(
        (*SPOT, "2026-10-05T12:00"),  # before: the window is 1–31 October
        (*near, "2026-10-31T23:59"),  # before, last minute
        (*far, "2026-10-20T12:00"),  # too far
        (*SPOT, "2026-09-30T12:00"),  # before the before window
        (*SPOT, "2026-11-01T00:00"),  # after, first minute
        (*SPOT, "2026-12-01T08:00"),  # today: never counted
    )
    result = nearby_before_after(data, *SPOT, date(2026, 11, 1), date(2026, 12, 1))
    assert (result.before_start, result.after_end, result.days) == (
        date(2026, 10, 2),
        date(2026, 12, 1),
        30,
    )
    assert (result.before, result.after) == (2, 1)


def test_the_window_rule_is_the_action_plans():
    result = nearby_before_after(reports(), *SPOT, date(2026, 11, 1), date(2026, 11, 11))
    assert (result.before_start, result.before, result.after) == (date(2026, 10, 22), 0, 0)
    with pytest.raises(FollowUpUnavailable):
        nearby_before_after(reports(), *SPOT, date(2026, 12, 1), date(2026, 12, 1))
