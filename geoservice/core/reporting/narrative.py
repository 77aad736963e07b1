"""The sentences of the *lägesbild*: what is missing, the analysis, sources and limitations.

The page and the PDF print the same sentences, made here from a
:class:`~geoservice.core.reporting.period_report.PeriodReport` in Swedish or English, with
numbers written by :mod:`geoservice.core.typography`. Nothing is said that the report's
figures do not hold: each sentence is built from them, and a sentence whose figure is
missing is left out or says what is missing.
"""

from __future__ import annotations

import pandas as pd

from geoservice.core.categories import category_by_code
from geoservice.core.reporting.period_report import PeriodReport
from geoservice.core.typography import format_day, format_number, format_percent

__all__ = ["analysis_sentences", "missing_notes", "sources_and_limits"]


def _n(value, lang: str, decimals: int = 0) -> str:
    return format_number(value, lang, decimals=decimals)


def _pct_change(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return sign + format_percent(value / 100, lang)


def _category(code: str, lang: str) -> str:
    found = category_by_code(code)
    return found.label_en if lang == "en" else found.label_sv


def missing_notes(report: PeriodReport, lang: str = "sv") -> list[str]:
    """Sentences saying what the period lacks: no concerns, no service yet, only areas or demo.

    Returns
    -------
    list of str
        Empty when nothing is missing.
    """
    en = lang == "en"
    notes: list[str] = []
    cov = report.coverage
    first = cov.first_concern if cov else None
    if first is None:
        notes.append(
            "The service holds no concerns yet: every figure below is zero."
            if en
            else "Tjänsten har inga synpunkter ännu: alla siffror nedan är noll."
        )
    elif report.end < first:
        notes.append(
            f"The period ends before the first concern the service holds "
            f"({format_day(first, lang)}): there were no concerns to count yet."
            if en
            else f"Perioden slutar före den första synpunkt tjänsten har "
            f"({format_day(first, lang)}): det fanns inga synpunkter att räkna ännu."
        )
    elif report.start < first:
        notes.append(
            f"The service's first concern is from {format_day(first, lang)}; the days before "
            "it hold none, so comparisons with earlier periods say little."
            if en
            else f"Tjänstens första synpunkt är från {format_day(first, lang)}; dagarna före "
            "saknar synpunkter, så jämförelser med tidigare perioder säger lite."
        )
    if report.totals.count == 0 and first is not None:
        notes.append(
            "No concerns in the period: tables show zeros, and there are no hot spots, "
            "themes or trends to report."
            if en
            else "Inga synpunkter under perioden: tabellerna visar nollor, och det finns inga "
            "hotspots, teman eller trender att redovisa."
        )
    elif report.totals.unsafe and cov and cov.area_precision == report.totals.unsafe:
        notes.append(
            "Every concern of the period was placed on a whole area, not a point: they are "
            "counted per area, but hot spots and zones cannot be found."
            if en
            else "Alla periodens synpunkter gäller ett helt område, inte en punkt: de räknas "
            "per område, men hotspots och zoner kan inte pekas ut."
        )
    if cov and cov.demo and cov.demo == report.totals.count:
        notes.append(
            "Every concern of the period is made-up demo data: the figures do not describe "
            "Mellerud."
            if en
            else "Alla periodens synpunkter är påhittade demodata: siffrorna beskriver inte "
            "Mellerud."
        )
    if (report.end - report.start).days < 27 and report.totals.count:
        notes.append(
            "A period this short holds few concerns: read the figures as examples, not trends."
            if en
            else "En så kort period rymmer få synpunkter: läs siffrorna som exempel, inte "
            "som trender."
        )
    return notes


def _largest_changes(table: pd.DataFrame, names, *, by: str, lang: str) -> list[str]:
    moved = table.loc[table["change"] != 0].copy()
    if not len(moved):
        return []
    moved["size"] = moved["change"].abs()
    picked = moved.sort_values("size", ascending=False, kind="stable").head(3)
    out = []
    for row in picked.itertuples(index=False):
        sign = "+" if row.change > 0 else "−"
        out.append(
            f"{names(row.code)} {sign}{_n(abs(row.change), lang)} "
            f"({_n(getattr(row, by), lang)} → {_n(row.count, lang)})"
        )
    return out


def analysis_sentences(
    report: PeriodReport, area_names: dict[str, str], lang: str = "sv"
) -> list[str]:
    """What changed and where, and how well last period's hotspots predicted this one.

    Parameters
    ----------
    report : PeriodReport
    area_names : dict of str to str
        Area id to its name.
    lang : {"sv", "en"}
    """
    en = lang == "en"
    out: list[str] = []
    t, y = report.totals, report.year
    out.append(
        f"Unsafe places: {_n(t.unsafe, lang)} concerns in the period, against "
        f"{_n(report.categories['previous'].sum(), lang)} in the period before and "
        f"{_n(y.earlier, lang)} in the same days a year earlier "
        f"(change {_pct_change(y.change_pct, lang)})."
        if en
        else f"Otrygga platser: {_n(t.unsafe, lang)} synpunkter under perioden, mot "
        f"{_n(report.categories['previous'].sum(), lang)} perioden före och "
        f"{_n(y.earlier, lang)} samma dagar ett år tidigare "
        f"(förändring {_pct_change(y.change_pct, lang)})."
    )
    areas = _largest_changes(y.areas, lambda c: area_names.get(c, c), by="earlier", lang=lang)
    if areas:
        out.append(
            (
                "Largest changes by area against a year earlier: "
                if en
                else "Störst förändring per område mot ett år tidigare: "
            )
            + "; ".join(areas)
            + "."
        )
    cats = _largest_changes(y.categories, lambda c: _category(c, lang), by="earlier", lang=lang)
    if cats:
        out.append(
            ("Largest changes by category: " if en else "Störst förändring per kategori: ")
            + "; ".join(cats)
            + "."
        )
    zones = report.zones
    if len(zones):
        named = {
            cls: [str(n) for n in zones.loc[zones["trend_class"] == cls, "name"]]
            for cls in ("new", "intensifying", "diminishing", "persistent")
        }
        words = (
            {
                "new": "new",
                "intensifying": "growing",
                "diminishing": "fading",
                "persistent": "persistent",
            }
            if en
            else {
                "new": "nya",
                "intensifying": "ökande",
                "diminishing": "avtagande",
                "persistent": "ihållande",
            }
        )
        parts = [f"{words[c]}: {', '.join(v)}" for c, v in named.items() if v]
        if parts:
            out.append(
                ("Hot zones over time — " if en else "Hotspotzoner över tid – ")
                + "; ".join(parts)
                + "."
            )
    acc = report.accuracy
    if acc is not None:
        table = acc.table
        at = table.loc[table["coverage"] == table["coverage"].max()]
        gi = at.loc[at["method"] == "gi_star"]
        naive = at.loc[at["method"] == "naive"]
        if len(gi) and len(naive) and pd.notna(gi["hit_rate"].iloc[0]):
            g, b = gi.iloc[0], naive.iloc[0]
            out.append(
                f"Last period's hotspots caught {format_percent(g['hit_rate'], lang)} of this "
                f"period's concerns on {format_percent(g['area_share'], lang)} of the area; "
                f"just taking last period's busiest cells caught "
                f"{format_percent(b['hit_rate'], lang)}."
                if en
                else f"Förra periodens hotspots fångade {format_percent(g['hit_rate'], lang)} "
                f"av synpunkterna på {format_percent(g['area_share'], lang)} av ytan; att bara "
                f"ta förra periodens flest synpunkter fångade "
                f"{format_percent(b['hit_rate'], lang)}."
            )
    else:
        out.append(
            "Predictive accuracy cannot be judged: the period before holds no concerns in "
            "the study area."
            if en
            else "Träffsäkerheten kan inte bedömas: perioden före har inga synpunkter i "
            "studieområdet."
        )
    return out


def sources_and_limits(report: PeriodReport, lang: str = "sv") -> list[tuple[str, str]]:
    """The "Källor och begränsningar" section: each item a short title and its text.

    Built from what the report used: the period, the concerns counted and left out, who
    can report, demo data, imported dialogue rounds, figures added by hand, hidden
    quotes and the hot-spot rule.
    """
    en = lang == "en"
    cov = report.coverage
    items: list[tuple[str, str]] = []
    period = f"{format_day(report.start, lang)} – {format_day(report.end, lang)}"
    items.append(
        (
            "Period" if en else "Period",
            f"{period}, local days in Europe/Stockholm; compared with "
            f"{format_day(report.previous_start, lang)} – {format_day(report.previous_end, lang)}"
            f" and with {format_day(report.year.start, lang)} – "
            f"{format_day(report.year.end, lang)}."
            if en
            else f"{period}, lokala dygn (svensk tid); jämförs med "
            f"{format_day(report.previous_start, lang)} – "
            f"{format_day(report.previous_end, lang)} och med "
            f"{format_day(report.year.start, lang)} – {format_day(report.year.end, lang)}.",
        )
    )
    items.append(
        (
            "Resident concerns" if en else "Invånarnas synpunkter",
            f"{_n(report.totals.count, lang)} concerns sent through Trygghetskartan Mellerud. "
            "They are perceptions of unsafety, not reported crimes, and not a sample: anyone "
            "can send one, those who know of the service and use a phone or computer send "
            "more, and one person can send several (hot spots count each sender once per cell "
            "and day)."
            if en
            else f"{_n(report.totals.count, lang)} synpunkter inskickade via Trygghetskartan "
            "Mellerud. De beskriver upplevd otrygghet, inte anmälda brott, och är inget urval: "
            "vem som helst kan skicka, de som känner till tjänsten och använder mobil eller "
            "dator skickar fler, och en person kan skicka flera (hotspots räknar varje "
            "avsändare en gång per ruta och dag).",
        )
    )
    if cov is not None:
        left_out = []
        if cov.removed:
            left_out.append(
                f"{_n(cov.removed, lang)} removed by moderation (spam, duplicates, not relevant)"
                if en
                else f"{_n(cov.removed, lang)} borttagna vid moderering (skräp, dubbletter, "
                "ej relevanta)"
            )
        if cov.area_precision:
            left_out.append(
                f"{_n(cov.area_precision, lang)} placed on a whole area: counted per area, "
                "not in hot spots"
                if en
                else f"{_n(cov.area_precision, lang)} gäller ett helt område: räknas per "
                "område, inte i hotspots"
            )
        if left_out:
            items.append(("Left out" if en else "Utelämnat", "; ".join(left_out) + "."))
        if cov.imported:
            items.append(
                (
                    "Earlier dialogue rounds" if en else "Tidigare dialoger",
                    f"{_n(cov.imported, lang)} of the concerns were imported from earlier "
                    "dialogue rounds (paper or meetings), with the place and time they were "
                    "recorded with."
                    if en
                    else f"{_n(cov.imported, lang)} av synpunkterna är importerade från tidigare "
                    "medborgardialoger (papper eller möten), med den plats och tid de "
                    "registrerades med.",
                )
            )
        if cov.demo:
            items.append(
                (
                    "Demo data" if en else "Demodata",
                    f"{_n(cov.demo, lang)} concerns are made-up demo data; remove them with "
                    "`geoservice seed-demo --remove` before the report is adopted."
                    if en
                    else f"{_n(cov.demo, lang)} synpunkter är påhittade demodata; ta bort dem "
                    "med `geoservice seed-demo --remove` innan lägesbilden antas.",
                )
            )
        if cov.suggestions:
            hidden = (
                (
                    f" A moderator hid {_n(cov.hidden_quotes, lang)} of them from quotes; "
                    "they still count in their theme."
                    if en
                    else f" En moderator har dolt {_n(cov.hidden_quotes, lang)} av dem som "
                    "citat; de räknas ändå i sitt tema."
                )
                if cov.hidden_quotes
                else ""
            )
            items.append(
                (
                    "Suggestions" if en else "Förslag",
                    f"{_n(cov.suggestions, lang)} answers to the dialogue question, grouped into "
                    "themes by their words (stems and word parts); quotes have phone numbers, "
                    "e-mail addresses and personal identity numbers masked and are never shown "
                    "with a place or time." + hidden
                    if en
                    else f"{_n(cov.suggestions, lang)} svar på dialogfrågan, grupperade i teman "
                    "efter sina ord (ordstammar och orddelar); i citaten är telefonnummer, "
                    "e-postadresser och personnummer dolda, och de visas aldrig med plats "
                    "eller tid." + hidden,
                )
            )
    items.append(
        (
            "Hot spots" if en else "Hotspots",
            report.hotspots.explanation(lang)
            + (
                " Trends of hot zones: Mann–Kendall test over monthly counts (5 % level)."
                if en
                else " Zonernas trend: Mann–Kendall-test över antal per månad (5 % nivå)."
            ),
        )
    )
    for figure in report.figures:
        items.append(
            (
                str(figure["measure"]),
                f"{figure['year']}: {figure['source']}"
                + (f" ({figure['note']})" if figure.get("note") else ""),
            )
        )
    return items
