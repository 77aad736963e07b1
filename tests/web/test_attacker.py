"""The attacker: plant a known history, call every public route, solve for hidden counts.

Everything a visitor can ask is asked: ``/api/v1/areas`` for every month, with every
filter the OpenAPI document allows (and the ranges and current months it refuses), the
Open311 listing over sliding windows with every service code, status and page, every
single request, the before/after figures of ``/lofte`` for activities whose start dates
differ by a day, and the same questions again after concerns arrive, are erased or
moderated (polling). Each published number becomes an equation over the true counts per
area, category, time band, month and status; each hidden one says its cells are not
all zero. An integer program then bounds every count SPEC §7 protects: if one of them
is truly between 1 and k-1 and its bounds meet, the attacker has recovered it and the
test fails.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import select

from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.periods import PublicationPeriod
from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Activity, Promise, Report
from geoservice.store.moderation import moderate
from geoservice.store.reports import new_receipt, receipt_digest
from geoservice.web import insight

K = 5
ERASED_CODE = new_receipt()
AREAS = ("bolstad", "fagerlid-jarn", "mellerud-holm", "rostock-dalskog-or", "skallerud")
POINTS = {
    "bolstad": (58.60, 12.40),
    "fagerlid-jarn": (58.83, 12.35),
    "mellerud-holm": (58.70, 12.45),
    "rostock-dalskog-or": (58.75, 12.30),
    "skallerud": (58.80, 12.45),
}
PLANTED = [PublicationPeriod(2025, m) for m in (1, 2, 3, 4)]
# The attacker also asks about the months around the history (all empty).
WATCHED = [PublicationPeriod(2024, 11), PublicationPeriod(2024, 12), *PLANTED]
WATCHED += [PublicationPeriod(2025, 5), PublicationPeriod(2025, 6)]
STATUSES = ("open", "closed")
CATEGORIES = ("drugs", "lighting", "harassment", "theft")

# Hand-placed cells the issue names: a lone harassment concern in a village, a month
# that subtracts from the next, small cells next to large ones.
HAND_PLANTED = [
    # area, month, category, band, n, handled
    ("mellerud-holm", 1, "drugs", "night", 7, 0),
    ("mellerud-holm", 1, "drugs", "evening", 3, 3),
    ("mellerud-holm", 1, "lighting", "evening", 2, 0),
    ("mellerud-holm", 1, "harassment", "night", 1, 0),
    ("mellerud-holm", 2, "drugs", "night", 10, 5),
    ("mellerud-holm", 2, "lighting", "evening", 5, 0),
    ("mellerud-holm", 3, "drugs", "night", 3, 0),
    ("mellerud-holm", 3, "theft", "day", 8, 0),
    ("skallerud", 2, "harassment", "evening", 1, 0),
    ("skallerud", 3, "drugs", "night", 6, 0),
    ("bolstad", 1, "theft", "day", 3, 0),
    ("bolstad", 2, "theft", "day", 9, 0),
    ("bolstad", 4, "lighting", "night", 4, 0),
]


def _plant(app) -> list[tuple]:
    """Store the history; return one (area, category, band, month, status) per concern."""
    rng = np.random.default_rng(13)
    cells = list(HAND_PLANTED)
    for area, month in itertools.product(AREAS, (1, 2, 3, 4)):
        for _ in range(int(rng.integers(0, 4))):
            category = str(rng.choice(CATEGORIES))
            band = str(rng.choice(("day", "evening", "night")))
            n = int(rng.choice([1, 1, 2, 3, 4, 6]))
            cells.append((area, month, category, band, n, int(rng.integers(0, n + 1) // 3)))
    truth = []
    with session_scope(app) as session:
        for i, (area, month, category, band, n, handled) in enumerate(cells):
            for j in range(n):
                lat, lon = POINTS[area]
                session.add(
                    Report(
                        lat=lat + 0.0001 * j,
                        lon=lon,
                        area_id=area,
                        category=category,
                        time_of_day=band,
                        status="handled" if j < handled else "new",
                        client_key=f"voice-{i}-{j}",
                        created_at=datetime(2025, month, 1 + (7 * j + i) % 27, 12, tzinfo=UTC),
                    )
                )
                status = "closed" if j < handled else "open"
                truth.append((area, category, band, PublicationPeriod(2025, month), status))
        # Not counted anywhere: a spam concern, a safe place, and (below) one flooder.
        session.add(
            Report(
                lat=58.7,
                lon=12.45,
                area_id="skallerud",
                category="drugs",
                status="spam",
                created_at=datetime(2025, 2, 3, tzinfo=UTC),
            )
        )
        session.add(
            Report(
                lat=58.7,
                lon=12.45,
                area_id="skallerud",
                category="drugs",
                kind="safe",
                created_at=datetime(2025, 2, 3, tzinfo=UTC),
            )
        )
        # One person on one day planting k concerns next to the village's lone one.
        for j in range(K):
            session.add(
                Report(
                    lat=58.80,
                    lon=12.45,
                    area_id="skallerud",
                    category="harassment",
                    time_of_day="evening",
                    client_key="flooder",
                    created_at=datetime(2025, 2, 20, 12, j, tzinfo=UTC),
                )
            )
            truth.append(("skallerud", "harassment", "evening", PublicationPeriod(2025, 2), "open"))
        promise = Promise(year=2025, title="Tryggare Mellerud", parties="Polisen", published=True)
        session.add(promise)
        session.flush()
        activities = [
            # Start dates a day apart, on the same areas: day windows would subtract.
            ("A", "mellerud-holm", "", date(2025, 2, 1), date(2025, 4, 30)),
            ("B", "mellerud-holm", "", date(2025, 2, 2), date(2025, 4, 30)),
            ("C", "mellerud-holm", "", date(2025, 3, 1), date(2025, 3, 31)),
            ("D", "skallerud", "harassment", date(2025, 2, 1), date(2025, 2, 28)),
            ("E", "bolstad,mellerud-holm", "drugs,theft", date(2025, 3, 1), date(2025, 4, 30)),
            ("F", "bolstad", "theft", date(2025, 2, 1), date(2025, 2, 28)),
            ("G", "bolstad", "theft", date(2025, 2, 1), date(2025, 3, 31)),
        ]
        for title, areas, categories, start, end in activities:
            session.add(
                Activity(
                    promise_id=promise.id,
                    title=title,
                    responsible="police",
                    area_ids=areas,
                    categories=categories,
                    start_on=start,
                    end_on=end,
                    status="ongoing",
                )
            )
        bump_version(session)
    return truth


class Attacker:
    """Unknowns: true counts per (area, category, band, month, status); what is learnt."""

    def __init__(self) -> None:
        keys = itertools.product(AREAS, CATEGORY_CODES, TIME_BANDS, WATCHED, STATUSES)
        self.keys = list(keys)
        self.index = {key: j for j, key in enumerate(self.keys)}
        self.equations: dict[tuple, int] = {}
        self.nonzero: set[tuple] = set()

    def support(
        self,
        areas=AREAS,
        categories=CATEGORY_CODES,
        bands=TIME_BANDS,
        months=WATCHED,
        statuses=STATUSES,
    ) -> tuple:
        return tuple(
            sorted(
                self.index[key]
                for key in itertools.product(areas, categories, bands, months, statuses)
            )
        )

    def learn(self, support: tuple, value, *, parent_published: bool = False) -> None:
        """Note a published sum; a hidden one under a published parent is not zero.

        Zeros are published, and complementary suppression hides only non-zero cells,
        so a hidden cell of a published total holds at least one concern. A hidden
        total hides its whole breakdown, zeros too: below it nothing is known.
        """
        if value is None:
            if parent_published:
                self.nonzero.add(support)
            return
        known = self.equations.setdefault(support, value)
        assert known == value, "two public answers disagree about one sum"

    def model(self) -> tuple[dict[int, int], list[LinearConstraint]]:
        """The unknowns not fixed to 0, and what is known about them, as constraints."""
        zero = {j for support, value in self.equations.items() if value == 0 for j in support}
        free = [j for j in range(len(self.keys)) if j not in zero]
        column = {j: i for i, j in enumerate(free)}

        def row(support: tuple) -> np.ndarray:
            values = np.zeros(len(free))
            values[[column[j] for j in support if j in column]] = 1
            return values

        sums = [(row(s), v) for s, v in self.equations.items() if v]
        constraints = [
            LinearConstraint(
                np.array([r for r, _ in sums]), [v for _, v in sums], [v for _, v in sums]
            )
        ]
        if self.nonzero:
            constraints.append(
                LinearConstraint(np.array([row(s) for s in self.nonzero]), 1, np.inf)
            )
        return column, constraints

    def bounds(self, target: tuple, model) -> tuple[float, float]:
        """Smallest and largest value the target sum can take given all that was learnt."""
        column, constraints = model
        c = np.zeros(len(column))
        c[[column[j] for j in target if j in column]] = 1
        if not c.any():
            return 0.0, 0.0
        found = []
        for sign in (1, -1):
            result = milp(
                sign * c,
                integrality=np.ones(len(column)),
                bounds=Bounds(0, np.inf),
                constraints=constraints,
            )
            assert result.status == 0, result.message
            found.append(sign * result.fun)
        return found[0], found[1]


def _ask_areas(client, attacker: Attacker) -> None:
    """Every month, with every filter /api/v1/areas allows; refused ones stay refused."""
    for month in WATCHED:
        label = month.label
        whole = client.get("/api/v1/areas", query_string={"from": label})
        assert whole.status_code == 200
        assert client.get("/api/v1/areas", query_string={"from": label, "to": label}).data == (
            whole.data
        )
        body = whole.get_json()
        attacker.learn(attacker.support(months=[month]), body["total"])
        for feature in body["features"]:
            p = feature["properties"]
            area = [p["id"]]
            attacker.learn(
                attacker.support(areas=area, months=[month]),
                p["count"],
                parent_published=body["total"] is not None,
            )
            for code, value in p["category_mix"].items():
                attacker.learn(
                    attacker.support(areas=area, categories=[code], months=[month]),
                    value,
                    parent_published=p["count"] is not None,
                )
            for band, value in p["time_band_mix"].items():
                attacker.learn(
                    attacker.support(areas=area, bands=[band], months=[month]),
                    value,
                    parent_published=p["count"] is not None,
                )
        for field, codes in (("category", CATEGORY_CODES), ("time_of_day", TIME_BANDS)):
            for code in codes:
                response = client.get("/api/v1/areas", query_string={"from": label, field: code})
                assert response.status_code == 200
                body = response.get_json()
                which = {"categories": [code]} if field == "category" else {"bands": [code]}
                attacker.learn(attacker.support(months=[month], **which), body["total"])
                for feature in body["features"]:
                    p = feature["properties"]
                    attacker.learn(
                        attacker.support(areas=[p["id"]], months=[month], **which), p["count"]
                    )
        # What the document allows but the design refuses: ranges, and both filters.
        later = month.next().label
        assert (
            client.get("/api/v1/areas", query_string={"from": label, "to": later}).status_code
            == 422
        )
        both = {"from": label, "category": "drugs", "time_of_day": "night"}
        assert client.get("/api/v1/areas", query_string=both).status_code == 422


def _ask_open311(client, app, attacker: Attacker, truth_ids: list[str]) -> None:
    """The listing over sliding windows, every code and status, paged; every request by id."""
    with app.app_context():
        from geoservice.store.areas import current_layer

        names = dict(current_layer().choices())
    area_of_address = {f"{name}, Melleruds kommun": area for area, name in names.items()}
    seen: dict[str, tuple] = {}

    def collect(query: dict) -> list[str]:
        response = client.get("/open311/v2/requests.json", query_string=query)
        assert response.status_code == 200, response.data
        ids = []
        for item in response.get_json():
            requested = datetime.fromisoformat(item["requested_datetime"]).date()
            assert requested.day == 1 and item["updated_datetime"] is None
            entry = (
                area_of_address[item["address"]],
                item["service_code"],
                PublicationPeriod(requested.year, requested.month),
                item["status"],
            )
            assert seen.setdefault(item["service_request_id"], entry) == entry
            ids.append(item["service_request_id"])
        return ids

    start = date(2024, 12, 20)
    while start < date(2025, 5, 10):
        for width in (1, 31, 89):
            end = start + timedelta(days=width - 1)
            window = {"start_date": start.isoformat(), "end_date": end.isoformat()}
            full = collect(window | {"page_size": "200"})
            # Paging gives the same entries, a page at a time.
            paged, page = [], 1
            while True:
                got = collect(window | {"page_size": "7", "page": str(page)})
                paged += got
                if len(got) < 7:
                    break
                page += 1
            assert paged == full
            if width != 31:
                continue
            for code, status in itertools.product(("", *CATEGORIES), ("", "open", "closed")):
                query = window | {"service_code": code, "status": status, "page_size": "200"}
                collect({k: v for k, v in query.items() if v})
        start += timedelta(days=13)
    # Every concern by id, as if every id were guessed.
    for chunk in range(0, len(truth_ids), 150):
        ids = truth_ids[chunk : chunk + 150]
        collect({"service_request_id": ",".join(ids)})
    for report_id in truth_ids[:40]:
        one = client.get(f"/open311/v2/requests/{report_id}.json")
        assert one.status_code == (200 if report_id in seen else 404)
    # A listed group is listed whole: counting its entries gives its status counts.
    groups = Counter(seen.values())
    for (area, code, month, status), n in groups.items():
        attacker.learn(
            attacker.support(areas=[area], categories=[code], months=[month], statuses=[status]),
            n,
        )
        other = "closed" if status == "open" else "open"
        key = (area, code, month, other)
        if key not in groups:
            attacker.learn(
                attacker.support(areas=[area], categories=[code], months=[month], statuses=[other]),
                0,
            )


def _ask_lofte(client) -> dict[int, dict[str, str]]:
    """The follow-up figures of every activity: sums over its areas, categories and months."""
    page = client.get("/lofte").get_data(as_text=True)
    spans = re.findall(r'<span class="followup" id="followup-(\d+)"([^>]*)>', page)
    assert spans
    with_figures = {}
    for activity_id, attributes in spans:
        values = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', attributes))
        if values:
            with_figures[int(activity_id)] = values
    return with_figures


def _months_between(first: str, stop: str) -> list[PublicationPeriod]:
    day, end = date.fromisoformat(first), date.fromisoformat(stop)
    months = []
    while day < end:
        months.append(PublicationPeriod(day.year, day.month))
        day = months[-1].stop_day
    return months


@pytest.fixture
def k_app(app):
    app.config["K_ANONYMITY"] = K
    return app


def test_no_public_route_gives_away_a_count_below_k(k_app, client, monkeypatch):
    app = k_app
    truth = _plant(app)
    with session_scope(app) as session:
        truth_ids = sorted(session.scalars(select(Report.id)))
        activities = {a.id: a for a in session.scalars(select(Activity))}
        for a in activities.values():
            session.expunge(a)
    attacker = Attacker()
    clock = time.perf_counter()
    _ask_areas(client, attacker)
    print(f"areas asked in {time.perf_counter() - clock:.1f} s")
    clock = time.perf_counter()
    _ask_open311(client, app, attacker, truth_ids)
    print(f"Open311 asked in {time.perf_counter() - clock:.1f} s")

    # /lofte: the windows are whole months, the counts sums of published cells.
    figures = _ask_lofte(client)
    windows = set()
    for activity_id, values in figures.items():
        activity = activities[activity_id]
        areas = activity.area_ids.split(",")
        categories = activity.categories.split(",") if activity.categories else CATEGORY_CODES
        for side in ("before", "after"):
            months = _months_between(values[f"{side}-start"], values[f"{side}-end"])
            windows.add((activity.area_ids, activity.categories, tuple(months)))
            value = None if values[side] == "None" else int(values[side])
            attacker.learn(
                attacker.support(areas=areas, categories=categories, months=months), value
            )
    assert len(figures) >= 2, "the follow-up should still show figures"
    # Start dates a day apart never give windows less than a month apart.
    for (areas_1, cats_1, m1), (areas_2, cats_2, m2) in itertools.combinations(windows, 2):
        if (areas_1, cats_1) == (areas_2, cats_2) and m1 != m2:
            assert set(m1) ^ set(m2), (m1, m2)

    # Polling: nothing asked again today differs, whatever happened meanwhile ...
    before = {
        m.label: client.get("/api/v1/areas", query_string={"from": m.label}).data for m in PLANTED
    }
    listing = client.get(
        "/open311/v2/requests.json",
        query_string={"start_date": "2025-04-01", "end_date": "2025-04-30"},
    ).data
    receipt = client.post(
        "/api/v1/reports",
        json={"lat": 58.80, "lon": 12.45, "category": "harassment", "time_of_day": "night"},
    ).get_json()["receipt"]
    with session_scope(app) as session:
        victim = session.scalars(
            select(Report).where(Report.area_id == "bolstad", Report.category == "lighting")
        ).first()
        moderate(session, victim.id, user_name="polis", status="handled")
        # Revisions of published months: a spam flag and an erasure by the resident.
        spam = session.scalars(
            select(Report).where(Report.area_id == "mellerud-holm", Report.category == "drugs")
        ).first()
        moderate(session, spam.id, user_name="polis", status="spam")
        erased = session.scalars(
            select(Report).where(Report.area_id == "bolstad", Report.category == "theft")
        ).first()
        # Only the resident holds a code; give this planted row one we know.
        erased.receipt_hash = receipt_digest(app.config["SECRET_KEY"], ERASED_CODE)
    assert client.delete(f"/api/v1/reports/{ERASED_CODE}").status_code == 204
    for m in PLANTED:
        assert client.get("/api/v1/areas", query_string={"from": m.label}).data == before[m.label]
    assert (
        client.get(
            "/open311/v2/requests.json",
            query_string={"start_date": "2025-04-01", "end_date": "2025-04-30"},
        ).data
        == listing
    )
    # ... and this month, where today's concern is, is not published at all.
    this_month = insight.local_today().strftime("%Y-%m")
    assert client.get("/api/v1/areas", query_string={"from": this_month}).status_code == 422
    # The next day, the still-open month is still unpublished, and the published months
    # are as first published: revisions never make a second version to subtract.
    today = insight.local_today()
    monkeypatch.setattr(insight, "local_today", lambda: today + timedelta(days=1))
    if (today + timedelta(days=1)).month == today.month:
        assert client.get("/api/v1/areas", query_string={"from": this_month}).status_code == 422
    for m in PLANTED:
        assert client.get("/api/v1/areas", query_string={"from": m.label}).data == before[m.label]
    client.delete(f"/api/v1/reports/{receipt}")

    # Solve. Every count SPEC §7 protects, at every level, plus the finest cells.
    true = Counter(truth)
    targets = {}
    for month in PLANTED:
        targets[("month", month)] = attacker.support(months=[month])
        for area in AREAS:
            targets[(area, month)] = attacker.support(areas=[area], months=[month])
            for code in CATEGORY_CODES:
                targets[(area, code, month)] = attacker.support(
                    areas=[area], categories=[code], months=[month]
                )
                for band in TIME_BANDS:
                    targets[(area, code, band, month)] = attacker.support(
                        areas=[area], categories=[code], bands=[band], months=[month]
                    )
            for band in TIME_BANDS:
                targets[(area, band, month)] = attacker.support(
                    areas=[area], bands=[band], months=[month]
                )
        for code in CATEGORY_CODES:
            targets[(code, month)] = attacker.support(categories=[code], months=[month])
        for band in TIME_BANDS:
            targets[(band, month)] = attacker.support(bands=[band], months=[month])
        # Every combination of an Open311 entry's public fields.
        for area, code, status in itertools.product(AREAS, CATEGORY_CODES, STATUSES):
            targets[(area, code, month, status)] = attacker.support(
                areas=[area], categories=[code], months=[month], statuses=[status]
            )
    true_value = defaultdict(int)
    for key, n in true.items():
        true_value[attacker.index[key]] += n
    recovered, small = [], 0
    clock = time.perf_counter()
    model = attacker.model()
    for name, support in targets.items():
        value = sum(true_value[j] for j in support)
        if not 0 < value < K:
            continue
        small += 1
        low, high = attacker.bounds(support, model)
        assert low - 1e-6 <= value <= high + 1e-6, (name, low, value, high)
        if high - low < 0.5:
            recovered.append((name, value))
    print(f"{small} small counts bounded in {time.perf_counter() - clock:.1f} s")
    assert small > 40, "the planted history should hold many small counts"
    assert not recovered, recovered
