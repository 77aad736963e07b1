"""Write and remove the synthetic demo concerns (``geoservice seed-demo``)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from flask import Flask
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from geoservice.core.analysis.hexgrid import cells_for_points
from geoservice.core.demo import DEMO_SOURCE, synthesize_reports
from geoservice.store.aggregates import bump_version
from geoservice.store.areas import layer_for
from geoservice.store.db import begin_write, session_scope
from geoservice.store.models import Report, cell_of, new_id
from geoservice.store.reports import new_receipt


def add_demo_reports(app: Flask, *, count: int, start: datetime, end: datetime, seed: int) -> int:
    """Generate ``count`` synthetic concerns and store them in one transaction."""
    with session_scope(app) as session:
        layer = layer_for(app, session)
    frame = synthesize_reports(layer.outline, n=count, start=start, end=end, seed=seed)
    area_ids = layer.index.assign(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    cells = cells_for_points(frame["lat"].to_numpy(), frame["lon"].to_numpy()).astype(np.int64)
    rows = []
    for record, area_id, cell in zip(frame.to_dict("records"), area_ids, cells, strict=True):
        if area_id is None:
            continue
        lon, lat = record["lon"], record["lat"]
        if record["precision"] == "area":
            lon, lat = layer.area_point(area_id)
            cell = cell_of(lat, lon)
        rows.append(
            {
                "id": new_id(),
                "created_at": record["created_at"].to_pydatetime(),
                "lon": float(lon),
                "lat": float(lat),
                "precision": record["precision"],
                "kind": record["kind"],
                "category": record["category"],
                "time_of_day": record["time_of_day"],
                "weekend": _optional(record["weekend"]),
                "exact_hour": _optional(record["exact_hour"]),
                "description": None,
                "suggestion": _optional(record["suggestion"]),
                "role": _optional(record["role"]),
                "age_band": _optional(record["age_band"]),
                "area_id": str(area_id),
                "cell": int(cell),
                "status": "new",
                "receipt": new_receipt(),
                "client_key": record["client_key"][:32],
                "source": DEMO_SOURCE,
                "is_demo": True,
            }
        )
    with session_scope(app) as session:
        begin_write(session)
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(Report), rows[chunk : chunk + 5000])
        bump_version(session)
    return len(rows)


def _optional(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def remove_demo_reports(app: Flask) -> int:
    """Delete every demo concern and nothing else; return how many went."""
    with session_scope(app) as session:
        begin_write(session)
        result = session.execute(delete(Report).where(Report.is_demo.is_(True)))
        bump_version(session)
        return result.rowcount


def has_demo_reports(session: Session) -> bool:
    """True while any demo concern is stored (every page then shows a banner)."""
    return session.scalar(select(Report.id).where(Report.is_demo.is_(True)).limit(1)) is not None


# The 2019 promise as the municipality's page describes it (facts only, our own words);
# its activities, and the whole current-year promise, are invented examples.
EXAMPLE_2019 = {
    "year": 2019,
    "title": "Medborgarlöfte 2019: Polisen och Melleruds kommun (exempel)",
    "focus_areas": "Drogproblematik",
    "summary": (
        "Exempel byggt på kommunens beskrivning av medborgarlöftet 2019. Under 2018 "
        "samlade polisen och kommunen löpande in synpunkter från invånare, besökare och "
        "kommunens förvaltningar, och det lokala brottsförebyggande rådet (BRÅ) gav sin "
        "bild. Ur problembilden valdes ett fokusområde: drogproblematik. En åtgärdsplan "
        "med aktiviteter och vem som ansvarar för vad skulle tas fram i början av 2019 och "
        "följas upp löpande under året. Aktiviteterna nedan är påhittade exempel."
    ),
    "parties": "Polisen och Melleruds kommun",
    "signed_on": None,
    "published": True,
}

EXAMPLE_ACTIVITIES_2019 = [
    (
        "Kvällspatruller kring resecentrum (påhittat exempel)",
        "police",
        ["mellerud-holm"],
        ["drugs", "disorder"],
        (2019, 3, 1),
        (2019, 12, 31),
        "done",
    ),
    (
        "Drogförebyggande samtal i skolorna (påhittat exempel)",
        "municipality",
        ["mellerud-holm", "fagerlid-jarn"],
        ["drugs"],
        (2019, 2, 1),
        (2019, 6, 15),
        "done",
    ),
    (
        "Gemensam uppföljning med BRÅ varje kvartal (påhittat exempel)",
        "both",
        ["bolstad", "fagerlid-jarn", "mellerud-holm", "rostock-dalskog-or", "skallerud"],
        [],
        (2019, 3, 1),
        (2019, 12, 31),
        "done",
    ),
]

EXAMPLE_CURRENT_ACTIVITIES = [
    (
        "Fler kvällspatruller vid stationen och i centrum (påhittat exempel)",
        "police",
        ["mellerud-holm"],
        ["drugs", "disorder"],
        150,
        None,
        "ongoing",
    ),
    (
        "Ny belysning på gång- och cykelvägar (påhittat exempel)",
        "municipality",
        ["mellerud-holm", "fagerlid-jarn"],
        ["lighting"],
        120,
        30,
        "done",
    ),
    (
        "Nattvandringar med föräldrar på helger (påhittat exempel)",
        "both",
        ["mellerud-holm"],
        ["disorder", "harassment"],
        60,
        None,
        "ongoing",
    ),
]


def add_example_promises(app: Flask, today) -> int:
    """Add the 2019 example promise and an invented current one, flagged as examples."""
    from datetime import date, timedelta

    from geoservice.store.models import Activity, Promise

    with session_scope(app) as session:
        begin_write(session)
        old = Promise(**EXAMPLE_2019, is_example=True)
        session.add(old)
        session.flush()
        for title, who, areas, categories, start, end, status in EXAMPLE_ACTIVITIES_2019:
            session.add(
                Activity(
                    promise_id=old.id,
                    title=title,
                    responsible=who,
                    area_ids=",".join(areas),
                    categories=",".join(categories),
                    start_on=date(*start),
                    end_on=date(*end),
                    status=status,
                    is_example=True,
                )
            )
        current = Promise(
            year=today.year,
            title=f"Exempel: medborgarlöfte {today.year} (påhittat)",
            focus_areas="Drogproblematik,Trygga stråk",
            summary=(
                "Ett påhittat löfte som visar hur uppföljningen ser ut när det finns "
                "synpunkter före och efter att en aktivitet startade."
            ),
            parties="Polisen och Melleruds kommun",
            signed_on=today - timedelta(days=200),
            published=True,
            is_example=True,
        )
        session.add(current)
        session.flush()
        for (
            title,
            who,
            areas,
            categories,
            days_ago,
            days_long,
            status,
        ) in EXAMPLE_CURRENT_ACTIVITIES:
            start = today - timedelta(days=days_ago)
            session.add(
                Activity(
                    promise_id=current.id,
                    title=title,
                    responsible=who,
                    area_ids=",".join(areas),
                    categories=",".join(categories),
                    start_on=start,
                    end_on=start + timedelta(days=days_long) if days_long else None,
                    status=status,
                    is_example=True,
                )
            )
    return 2
