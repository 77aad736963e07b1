"""The weekly lägesbild (events and concerns side by side) and the tertial prioritisation."""

from __future__ import annotations

import re
import smtplib
from datetime import date, datetime, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.events.pdf import Section, document_pdf
from geoservice.core.events.situation import (
    COMPARISON_WEEKS,
    STAND_OUT_MINIMUM,
    WeeklySituation,
    last_whole_week,
    previous_tertial,
    tertial_bounds,
    tertial_of,
    tertial_ranking,
    weekly_situation,
)
from geoservice.core.typography import LOCAL_ZONE, format_number
from geoservice.i18n import category_labels, page_language
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.events.repository import events_between
from geoservice.store.moderation import staff_frame
from geoservice.web.access import audit, requires
from geoservice.web.errors import attachment
from geoservice.web.events.mail import MailNotConfigured, mail_configured, send_pdf
from geoservice.web.events.places import nearest_place_name
from geoservice.web.events.views import event_type_labels
from geoservice.web.staff_filter import StaffFilter

bp = Blueprint("situation", __name__, url_prefix="/personal")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class WeekRejected(ValueError):
    """The asked week could not be read or lies in the future."""


def parse_week(raw: str | None, today: date) -> date:
    """The Monday of ``vecka`` (``2026-W47`` or any day of the week); default the last whole."""
    if not raw:
        return last_whole_week(today)
    raw = raw.strip()[:20]
    match = _WEEK.fullmatch(raw)
    try:
        if match:
            monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        else:
            day = date.fromisoformat(raw)
            monday = day - timedelta(days=day.weekday())
    except ValueError:
        raise WeekRejected(
            _("Skriv veckan som ÅÅÅÅ-Vnn (till exempel 2026-W47) eller ett datum ÅÅÅÅ-MM-DD.")
        ) from None
    if monday > today:
        raise WeekRejected(_("Veckan har inte börjat än. Välj en vecka som har varit."))
    if monday.year < 2000:
        raise WeekRejected(_("Välj en vecka från år 2000 eller senare."))
    return monday


def _frames(first: date, last: date):
    """Events and residents' active concerns about unsafe places, days first..last."""
    db = get_session()
    window = StaffFilter(start=first, end=last, kind="unsafe")
    concerns = active_reports(staff_frame(db, window))
    events = events_between(db, window.start_utc, window.end_utc)
    return events, concerns


def build_week(monday: date) -> WeeklySituation:
    """The lägesbild of the week starting ``monday``, against the four weeks before."""
    events, concerns = _frames(
        monday - timedelta(days=7 * COMPARISON_WEEKS), monday + timedelta(days=6)
    )
    return weekly_situation(
        events,
        concerns,
        current_layer().areas,
        monday,
        type_labels=event_type_labels(),
        category_labels=category_labels(),
        place_name=nearest_place_name,
    )


def _week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return _("vecka %(week)s %(year)s", week=week, year=year)


def week_pdf(situation: WeeklySituation) -> bytes:
    """The lägesbild of a week as a printable PDF."""
    lang = page_language()

    def n(value, decimals=0):
        return format_number(value, lang, decimals=decimals)

    mean = _("Snitt per vecka, %(n)s veckor före", n=COMPARISON_WEEKS)
    sections = [
        Section(
            _("Sammanfattning"),
            [
                _(
                    "Händelser från samverkanspartner: %(events)s (snitt %(mean)s per vecka de "
                    "fyra veckorna före).",
                    events=n(situation.events),
                    mean=n(situation.events_mean, 1),
                ),
                _(
                    "Synpunkter från invånare om otrygga platser: %(concerns)s (snitt %(mean)s "
                    "per vecka).",
                    concerns=n(situation.concerns),
                    mean=n(situation.concerns_mean, 1),
                ),
            ],
        ),
        Section(
            _("Platser som sticker ut"),
            [_standout_rule()]
            if situation.places
            else [_standout_rule(), _("Ingen plats sticker ut den här veckan.")],
            [[_("Plats"), _("Rapporter veckan"), mean]]
            + [[p.label, n(p.this_week), n(p.weekly_mean, 1)] for p in situation.places],
            numeric=frozenset({1, 2}),
        ),
        Section(
            _("Per område"),
            table=[[_("Område"), _("Händelser"), mean, _("Synpunkter"), mean]]
            + [
                [
                    a.name + (" *" if a.stands_out else ""),
                    n(a.events),
                    n(a.events_mean, 1),
                    n(a.concerns),
                    n(a.concerns_mean, 1),
                ]
                for a in situation.areas
            ],
            numeric=frozenset({1, 2, 3, 4}),
            widths=(5, 2.5, 3.5, 2.5, 3.5),
        ),
        Section(
            _("Händelser per typ"),
            [_("En händelse med flera typer räknas under var och en av dem.")],
            [[_("Typ"), _("Veckan"), mean]]
            + [[t.label, n(t.this_week), n(t.weekly_mean, 1)] for t in situation.event_types],
            numeric=frozenset({1, 2}),
        ),
        Section(
            _("Invånarnas synpunkter per kategori"),
            table=[[_("Kategori"), _("Veckan"), mean]]
            + [[c.label, n(c.this_week), n(c.weekly_mean, 1)] for c in situation.categories],
            numeric=frozenset({1, 2}),
        ),
    ]
    title = _("Lägesbild %(week)s", week=_week_label(situation.week_start))
    period = f"{situation.week_start.isoformat()} – {situation.week_end.isoformat()}"
    return document_pdf(
        title,
        [
            period,
            _(
                "Trygghetskartan Mellerud, för samordnarna inom EST. "
                "Innehåller inga namn eller fritexter."
            ),
        ],
        sections,
        footer=f"{title} ({period})",
    )


def _standout_rule() -> str:
    return _(
        "En plats eller ett område sticker ut med minst %(min)s rapporter under veckan och minst "
        "dubbelt så många som snittet de fyra veckorna före.",
        min=STAND_OUT_MINIMUM,
    )


def _today() -> date:
    return datetime.now(LOCAL_ZONE).date()


@bp.get("/lagesbild/vecka")
@requires("aggregates")
def weekly():
    """The week's lägesbild: events and concerns by area, type and place, against 4 weeks."""
    try:
        monday = parse_week(request.args.get("vecka"), _today())
        error = None
    except WeekRejected as exc:
        monday, error = last_whole_week(_today()), str(exc)
    situation = build_week(monday)
    config = current_app.config
    return render_template(
        "staff/events/weekly.html",
        situation=situation,
        week_label=_week_label(monday),
        week_value=f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
        previous_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat()
        if monday + timedelta(days=7) <= _today()
        else None,
        error=error,
        standout_rule=_standout_rule(),
        comparison_weeks=COMPARISON_WEEKS,
        mail_ready=mail_configured(config),
        mail_host=bool(config.get("SMTP_HOST")),
        sent=request.args.get("skickad") == "1",
        mail_error=request.args.get("fel") == "1",
    ), (422 if error else 200)


@bp.get("/lagesbild/vecka.pdf")
@requires("aggregates")
def weekly_pdf():
    """The week's lägesbild as a PDF to print or send on."""
    try:
        monday = parse_week(request.args.get("vecka"), _today())
    except WeekRejected as exc:
        return render_template("error.html", message=str(exc), code=422), 422
    body = week_pdf(build_week(monday))
    return attachment(body, "application/pdf", f"lagesbild-{monday.isoformat()}.pdf")


@bp.post("/lagesbild/vecka/skicka")
@requires("plan")
def send_weekly():
    """E-mail the week's lägesbild as a PDF to the configured recipients."""
    try:
        monday = parse_week(request.form.get("vecka"), _today())
    except WeekRejected as exc:
        return render_template("error.html", message=str(exc), code=422), 422
    config = current_app.config
    try:
        to = send_pdf(
            config,
            subject=_("Lägesbild %(week)s", week=_week_label(monday)),
            body=_(
                "Veckans lägesbild från Trygghetskartan Mellerud finns bifogad som PDF "
                "(händelser från samverkanspartner och invånarnas synpunkter)."
            ),
            pdf=week_pdf(build_week(monday)),
            filename=f"lagesbild-{monday.isoformat()}.pdf",
        )
    except (MailNotConfigured, ValueError):
        return render_template(
            "error.html",
            message=_(
                "E-post är inte inställt "
                "(GEOSERVICE_SMTP_HOST, SMTP_FROM och LAGESBILD_RECIPIENTS)."
            ),
            code=409,
        ), 409
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("sending the lägesbild failed")
        return redirect(url_for("situation.weekly", vecka=monday.isoformat(), fel=1), 303)
    audit("send_lagesbild", rows=len(to))
    return redirect(url_for("situation.weekly", vecka=monday.isoformat(), skickad=1), 303)


def parse_tertial(raw: str | None, today: date) -> tuple[int, int]:
    """``2026-3`` → (2026, 3); default: the last tertial that has ended."""
    if not raw:
        return previous_tertial(*tertial_of(today))
    match = re.fullmatch(r"(\d{4})-([123])", raw.strip()[:10])
    if not match:
        raise WeekRejected(_("Skriv tertialen som ÅÅÅÅ-T, till exempel 2026-2 för maj–augusti."))
    year, tertial = int(match.group(1)), int(match.group(2))
    if tertial_bounds(year, tertial)[0] > today:
        raise WeekRejected(_("Tertialen har inte börjat än."))
    if year < 2000:
        raise WeekRejected(_("Välj en tertial från år 2000 eller senare."))
    return year, tertial


@bp.get("/prioritering")
@requires("aggregates")
def tertial():
    """Areas ranked by events and concerns per 1 000 residents, with the change since before."""
    today = _today()
    try:
        year, number = parse_tertial(request.args.get("tertial"), today)
        error = None
    except WeekRejected as exc:
        (year, number), error = previous_tertial(*tertial_of(today)), str(exc)
    first, last = tertial_bounds(year, number)
    before_first, _before_last = tertial_bounds(*previous_tertial(year, number))
    events, concerns = _frames(before_first, last)
    rows = tertial_ranking(events, concerns, current_layer().areas, year, number)
    choices = []
    y, t = tertial_of(today)
    for _i in range(9):
        choices.append((f"{y}-{t}", tertial_bounds(y, t)))
        y, t = previous_tertial(y, t)
    return render_template(
        "staff/events/tertial.html",
        rows=rows,
        year=year,
        number=number,
        first=first,
        last=min(last, today),
        ongoing=last >= today,
        choices=choices,
        chosen=f"{year}-{number}",
        error=error,
    ), (422 if error else 200)
