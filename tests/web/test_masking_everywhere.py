"""Phone numbers, personal identity numbers and e-mail addresses in the forms people write
them are masked in the core, in every export, on the report page and in the PDF."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pypdf
import pytest

from geoservice.core.privacy.masking import mask_personal_data
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.store.db import session_scope
from geoservice.store.models import Report

VARIANTS = [
    # phone numbers
    "070-123 45 67",
    "070-1234567",
    "0701234567",
    "070 123 45 67",
    "(070) 123 45 67",
    "(070)1234567",
    "+46 (0)70 123 45 67",
    "+46(0)701234567",
    "+46 70 123 45 67",
    "+46701234567",
    "0046 70 123 45 67",
    "0046701234567",
    "070.123.45.67",
    "070/1234567",
    "070/123 45 67",
    "070–123 45 67",
    "070 – 123 45 67",
    "070—1234567",
    "070\u2011123\u201145\u201167",
    "070\u00a0123\u00a045\u00a067",
    "070\u202f123\u202f45\u202f67",
    "08-123 456 78",
    "010-565 24 40",
    "0521-123 45",
    "(0530) 123 45",
    "+46 530 123 45",
    # personal identity numbers
    "811224-1234",
    "811224 - 1234",
    "811224–1234",
    "811224 – 1234",
    "8112241234",
    "19811224-1234",
    "198112241234",
    "811224+1234",
    "811284-1234",
    "811224 1234",
    # e-mail addresses
    "anna@example.se",
    "anna.svensson@example.se",
    "anna(at)example.se",
    "anna (at) example.se",
    "anna[at]example.se",
    "anna [at] example [dot] se",
    "anna{at}example{dot}se",
    "anna @ example.se",
    "anna＠example.se",
    "anna(at)example(dot)se",
    "anna (snabel-a) example (punkt) se",
    "ANNA(AT)EXAMPLE.SE",
]
TODAY = datetime.now(UTC)
# Periods are local (Stockholm) days: just after midnight there the UTC date lags.
LOCAL_TODAY = datetime.now(LOCAL_ZONE).date()
PERIOD = {"from": (LOCAL_TODAY - timedelta(days=31)).isoformat(), "to": LOCAL_TODAY.isoformat()}


def leaks(text: str) -> list[str]:
    """The variants still readable in ``text`` (whitespace ignored: PDFs wrap lines)."""
    flat = re.sub(r"\s+", "", text)
    return [v for v in VARIANTS if re.sub(r"\s+", "", v) in flat]


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_is_masked(variant):
    masked = mask_personal_data(f"Ring {variant} efter kl 22, tack")
    assert masked.startswith("Ring [") and masked.endswith("] efter kl 22, tack"), masked
    assert not re.search(r"\d{3}", masked) and "anna" not in masked.lower()


@pytest.mark.parametrize(
    "text",
    [
        "Mörkt vid busshållplatsen efter kl 22",
        "Buss 710 går 07.15 och 07.45",
        "Den 2026-01-12 kl 22.30 hände det",
        "Ungefär 150 m från skolan, väg 166",
        "at the station",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert mask_personal_data(text) == text


@pytest.fixture
def variant_concerns(app):
    with session_scope(app) as session:
        for i, variant in enumerate(VARIANTS):
            session.add(
                Report(
                    created_at=TODAY,
                    lat=58.7005,
                    lon=12.4535,
                    category="drugs",
                    time_of_day="night",
                    description=f"Ring {variant} om det händer",
                    suggestion=f"Mejla eller ring {variant}",
                    area_id="mellerud-holm",
                    status="new",
                    source="web",
                    client_key=f"client-{i}",
                )
            )
        session.commit()


def test_masked_in_every_export_page_and_pdf(client, login, variant_concerns, tmp_path):
    login("police")
    outputs = {}
    exported = client.get("/personal/export/synpunkter.csv", query_string=PERIOD)
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(VARIANTS)
    outputs["csv"] = "\n".join(r["description"] + " " + r["suggestion"] for r in rows)
    geojson = json.loads(
        client.get("/personal/export/synpunkter.geojson", query_string=PERIOD).data
    )
    outputs["geojson"] = json.dumps(
        [f["properties"] for f in geojson["features"]], ensure_ascii=False
    )
    gpkg_path = tmp_path / "synpunkter.gpkg"
    gpkg_path.write_bytes(
        client.get("/personal/export/synpunkter.gpkg", query_string=PERIOD).get_data()
    )
    gpkg = gpd.read_file(gpkg_path)
    outputs["gpkg"] = " ".join(gpkg["description"].tolist() + gpkg["suggestion"].tolist())
    api = client.get("/api/v1/reports", query_string=PERIOD).get_json()
    outputs["api"] = json.dumps([f["properties"] for f in api["features"]], ensure_ascii=False)
    page = client.get("/personal/rapport", query_string=PERIOD)
    assert page.status_code == 200
    outputs["report page"] = html.unescape(page.get_data(as_text=True))
    pdf = client.get("/personal/rapport.pdf", query_string=PERIOD)
    reader = pypdf.PdfReader(io.BytesIO(pdf.get_data()))
    outputs["pdf"] = "".join(p.extract_text() for p in reader.pages)
    for name, text in outputs.items():
        assert "dolt]" in text or "dold]" in text, name
        assert leaks(text) == [], name
