"""Voices counted month by month: triggers move each month's counter on every write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, update

from geoservice.store.analysis import (
    month_versions,
    utc_month_spans,
    voice_table,
    voice_table_by_month,
)
from geoservice.store.db import session_scope
from geoservice.store.models import Report
from geoservice.web.staff_filter import StaffFilter

TOWN = (58.7005, 12.4535)


def concern(at: datetime, client: str, *, category="drugs", lat=TOWN[0], lon=TOWN[1]) -> Report:
    return Report(
        lat=lat,
        lon=lon,
        category=category,
        time_of_day="night",
        weekend=at.weekday() >= 5,
        area_id="mellerud-holm",
        created_at=at,
        client_key=client,
    )


def test_spans_cut_at_utc_month_starts_and_cover_the_period():
    start = datetime(2025, 11, 14, 23, tzinfo=UTC)  # a local midnight in winter
    end = datetime(2026, 2, 3, 23, tzinfo=UTC)
    spans = utc_month_spans(start, end)
    assert spans[0][0] == start and spans[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert [s[0].strftime("%Y-%m") for s in spans] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert spans[2] == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert utc_month_spans(end, end) == []


def test_every_insert_update_and_delete_moves_its_months_counter(app):
    november = datetime(2026, 11, 10, 12, tzinfo=UTC)
    with session_scope(app) as session:
        assert month_versions(session) == {}
        session.add(concern(november, "a"))
    with session_scope(app) as session:
        seen = month_versions(session)
        assert set(seen) == {"2026-11"}
        # By hand in SQL too (a bulk update bypasses the ORM): the triggers see it.
        session.execute(update(Report).values(status="confirmed"))
    with session_scope(app) as session:
        now = month_versions(session)
        assert now["2026-11"] > seen["2026-11"]
        moved = november - timedelta(days=40)
        session.execute(update(Report).values(created_at=moved))
        seen = now
    with session_scope(app) as session:
        # Moving a concern to October changes both months.
        now = month_versions(session)
        assert now["2026-11"] > seen["2026-11"] and now["2026-10"] > 0
        session.execute(delete(Report))
        seen = now
    with session_scope(app) as session:
        now = month_versions(session)
        assert now["2026-10"] > seen["2026-10"] and now["2026-11"] == seen["2026-11"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["cell", "category", "time_of_day", "weekend"]
    return frame.sort_values(columns).reset_index(drop=True)[[*columns, "voices"]]


def test_month_by_month_counts_equal_one_count_and_only_a_changed_month_is_recounted(app):
    rng = np.random.default_rng(4)
    start = date(2026, 7, 1)
    with session_scope(app) as session:
        for _ in range(400):
            # Hours across midnights and month ends, some clients several times a day.
            at = datetime(2026, 7, 1, tzinfo=UTC) + timedelta(hours=float(rng.uniform(0, 2900)))
            session.add(
                concern(
                    at,
                    f"c{int(rng.integers(0, 60))}",
                    category=str(rng.choice(["drugs", "vandalism", "lighting"])),
                    lat=TOWN[0] + float(rng.uniform(-0.004, 0.004)),
                    lon=TOWN[1] + float(rng.uniform(-0.008, 0.008)),
                )
            )
    staff_filter = StaffFilter(start=start, end=date(2026, 10, 31))
    store: dict = {}
    computed: list = []

    def reuse(key, version, compute):
        if store.get(key, (None,))[0] != version:
            computed.append(key[0][0].strftime("%Y-%m"))
            store[key] = (version, compute())
        return store[key][1]

    with session_scope(app) as session:
        whole = voice_table(session, staff_filter)
        by_month = voice_table_by_month(session, staff_filter, reuse)
        pd.testing.assert_frame_equal(_sorted(by_month), _sorted(whole), check_dtype=False)
        assert whole["voices"].sum() > 100
        assert sorted(computed) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    computed.clear()
    with session_scope(app) as session:
        session.add(concern(datetime(2026, 9, 15, 20, tzinfo=UTC), "new-client"))
    with session_scope(app) as session:
        by_month = voice_table_by_month(session, staff_filter, reuse)
        assert computed == ["2026-09"]
        pd.testing.assert_frame_equal(
            _sorted(by_month), _sorted(voice_table(session, staff_filter)), check_dtype=False
        )


@pytest.mark.parametrize("days", [0, 1])
def test_an_empty_period_gives_an_empty_table(app, days):
    staff_filter = StaffFilter(start=date(2031, 1, 1), end=date(2031, 1, 1) + timedelta(days))
    with session_scope(app) as session:
        frame = voice_table_by_month(session, staff_filter, lambda _k, _v, compute: compute())
    assert list(frame.columns) == ["cell", "category", "time_of_day", "weekend", "voices"]
    assert len(frame) == 0
