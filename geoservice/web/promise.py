"""The citizen promise: the public page /lofte, and staff editing of promises and activities."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.privacy.publish import published_sum
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.core.reporting.followup import (
    FollowUp,
    FollowUpUnavailable,
    before_after,
    describe_followup,
    equal_windows,
    followup_from_counts,
    month_windows,
    public_followup,
)
from geoservice.core.typography import format_month
from geoservice.i18n import any_category_labels, category_labels, page_language
from geoservice.labels import activity_status_labels, responsible_labels
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.models import Activity, Promise
from geoservice.store.moderation import staff_frame
from geoservice.store.promises import (
    ACTIVITY_STATUSES,
    RESPONSIBLE,
    PlanError,
    activities,
    activity_values,
    add_note,
    area_mapping_note,
    notes,
    promise_values,
    promises,
    save_activity,
    save_promise,
    split_list,
)
from geoservice.web import insight
from geoservice.web.access import requires
from geoservice.web.cache import cached
from geoservice.web.errors import stored_or_404
from geoservice.web.form_messages import activity_messages, promise_messages
from geoservice.web.insight import (
    parse_public_filter,
    period_publication,
    public_areas,
)
from geoservice.web.staff_filter import StaffFilter, read_day

bp = Blueprint("promise", __name__)


def today():
    return datetime.now(LOCAL_ZONE).date()


def join_labels(codes: str, names: dict[str, str]) -> str:
    """Stored comma-separated codes as a readable list of names."""
    return ", ".join(names.get(code, code) for code in split_list(codes))


def labels() -> dict:
    return {
        "responsible": responsible_labels(),
        "status": activity_status_labels(),
        "categories": category_labels(),
        "any_categories": any_category_labels(),
        "areas": dict(current_layer().choices()),
    }


@dataclass(frozen=True)
class ActivityFollowUp:
    """An activity's before/after figures, or why there are none yet."""

    followup: FollowUp | None
    unavailable_sv: str | None = None
    unavailable_en: str | None = None


def activity_followup(activity: Activity) -> ActivityFollowUp:
    """Concerns in the activity's areas (and categories) before and after its start."""
    day = today()

    def compute() -> ActivityFollowUp:
        try:
            before_start, _b, _a, after_end = equal_windows(activity.start_on, activity.end_on, day)
        except FollowUpUnavailable as exc:
            return ActivityFollowUp(None, exc.message_sv, exc.message_en)
        window = StaffFilter(start=before_start, end=after_end - timedelta(days=1))
        frame = active_reports(staff_frame(get_session(), window))
        try:
            followup = before_after(
                frame,
                current_layer().areas,
                area_ids=split_list(activity.area_ids),
                categories=split_list(activity.categories) or None,
                start=activity.start_on,
                end=activity.end_on,
                today=day,
            )
        except FollowUpUnavailable as exc:
            return ActivityFollowUp(None, exc.message_sv, exc.message_en)
        except ValueError:
            # Areas the layer in force does not know (a layer change could not carry them
            # over): say so rather than fail the page.
            return ActivityFollowUp(
                None,
                "Aktivitetens områden finns inte i områdesindelningen som gäller nu; "
                "välj områdena på nytt.",
                "The activity's areas are not in the area layer in force; choose them again.",
            )
        return ActivityFollowUp(followup)

    key = (
        activity.id,
        activity.start_on,
        activity.end_on,
        activity.area_ids,
        activity.categories,
        day,
    )
    return cached("activity_followup", key, compute)


def public_activity_followup(activity: Activity) -> ActivityFollowUp:
    """The follow-up the public sees: whole published months, from published cells only.

    Both windows are whole months (:func:`month_windows`), and their counts are sums of
    cells the monthly tables publish (:func:`published_sum`); when one of those cells is
    hidden, no figure is shown, since it would be a new sum to solve the hidden cell from.
    """
    day = insight.local_today()
    try:
        before_months, after_months = month_windows(activity.start_on, activity.end_on, day)
    except FollowUpUnavailable as exc:
        return ActivityFollowUp(None, exc.message_sv, exc.message_en)
    area_ids = split_list(activity.area_ids)
    categories = split_list(activity.categories) or None
    before = published_sum([period_publication(p) for p in before_months], area_ids, categories)
    after = published_sum([period_publication(p) for p in after_months], area_ids, categories)
    if before is None or after is None:
        k = current_app.config["K_ANONYMITY"]
        return ActivityFollowUp(
            None,
            f"Inga siffror visas: i någon av månaderna före eller efter starten är antalet "
            f"synpunkter i områdena för litet (under {k}) för att publiceras.",
            f"No figures are shown: in one of the months before or after the start the "
            f"number of concerns in the areas is too small (below {k}) to publish.",
        )
    areas = current_layer().areas
    pops = areas.loc[areas["id"].isin(area_ids), "population"]
    population = int(pops.sum()) if pops.notna().all() and pops.sum() > 0 else None
    followup = followup_from_counts(
        area_ids=area_ids,
        categories=categories,
        before_periods=before_months,
        after_periods=after_months,
        before=before,
        after=after,
        population=population,
        ongoing=activity.end_on is None or activity.end_on >= day,
    )
    return ActivityFollowUp(followup)


def _window_label(followup: FollowUp | None) -> str | None:
    """The months before and after, as a reader says them: "mars 2026 – maj 2026"."""
    if followup is None:
        return None
    lang = page_language()

    def months(first, stop) -> str:
        last = stop - timedelta(days=1)
        if (first.year, first.month) == (last.year, last.month):
            return format_month(first, lang)
        return f"{format_month(first, lang)} – {format_month(last, lang)}"

    before = months(followup.before_start, followup.before_end)
    after = months(followup.after_start, followup.after_end)
    return (
        f"före: {before}; efter: {after}" if lang == "sv" else f"before: {before}; after: {after}"
    )


def followup_text(result: ActivityFollowUp, *, k: int | None) -> str:
    """The plain-language follow-up sentence, suppressed for the public when ``k`` is given."""
    if result.followup is None:
        return (result.unavailable_en if page_language() == "en" else result.unavailable_sv) or ""
    return describe_followup(result.followup, page_language(), k=k)


# Public page ---------------------------------------------------------------------------


@bp.get("/lofte")
def public_promises():
    """Published promises, their activities and status, and 'you said – we did' per area."""
    db = get_session()
    k = current_app.config["K_ANONYMITY"]
    shown = []
    for promise in promises(db, published_only=True):
        rows = []
        for activity in activities(db, promise.id):
            result = public_activity_followup(activity)
            rows.append(
                {
                    "activity": activity,
                    "text": followup_text(result, k=k),
                    "figures": public_followup(result.followup, k) if result.followup else None,
                    "window": _window_label(result.followup),
                }
            )
        shown.append((promise, rows))
    public_filter = parse_public_filter({}, lang=page_language())
    figures = public_areas(public_filter).figures
    label = labels()
    current = [a for promise, rows in shown[:1] for a in (r["activity"] for r in rows)]
    said_did = []
    for area in figures["areas"]:
        mix = area["category_mix"] or {}
        # Only published counts are ranked: a hidden one must not be placed by its size.
        top = sorted(((c, n) for c, n in mix.items() if n), key=lambda item: -item[1])[:3]
        aimed = [a for a in current if area["id"] in split_list(a.area_ids)]
        said_did.append({"area": area, "top": top, "activities": aimed})
    return render_template(
        "public/promise.html",
        shown=shown,
        said_did=said_did,
        labels=label,
        k=k,
        period_month=format_month(public_filter.period.first_day, page_language()),
        split_list=split_list,
        join_labels=join_labels,
    )


# Staff pages -----------------------------------------------------------------------------


def typed_dates(form, fields: tuple[str, ...]):
    """The form with dates typed by hand (``30/11/2026``, ``20261130``) written as ISO.

    A browser without date fields shows a plain text box; what it sends is read the same
    way as the filters read it. Anything unreadable is left for the form check to name.
    """
    copy = form.copy()
    for field in fields:
        raw = form.get(field)
        if raw:
            with contextlib.suppress(ValueError):
                copy[field] = read_day(raw).isoformat()
    return copy


@bp.get("/personal/lofte")
@requires("aggregates")
def staff_promises():
    """All promises, drafts included; a form for a new one."""
    return render_template(
        "staff/promises.html",
        promises=promises(get_session(), published_only=False),
        errors={},
        values={"year": today().year, "parties": "Polisen och Melleruds kommun"},
    )


@bp.post("/personal/lofte")
@requires("plan")
def create_promise():
    """Create a promise (a draft unless published is ticked)."""
    try:
        promise = save_promise(
            get_session(), promise_values(typed_dates(request.form, ("signed_on",)))
        )
    except PlanError as exc:
        return render_template(
            "staff/promises.html",
            promises=promises(get_session(), published_only=False),
            errors=promise_messages(exc.errors),
            values=request.form,
        ), 422
    return redirect(url_for("promise.staff_promise", promise_id=promise.id), 303)


def _promise_page(promise: Promise, *, errors=None, activity_errors=None, status=200):
    db = get_session()
    rows = [(a, followup_text(activity_followup(a), k=None)) for a in activities(db, promise.id)]
    return render_template(
        "staff/promise.html",
        promise=promise,
        rows=rows,
        labels=labels(),
        errors=errors or {},
        activity_errors=activity_errors or {},
        responsible=RESPONSIBLE,
        statuses=ACTIVITY_STATUSES,
        split_list=split_list,
        can_edit=current_user.can("plan"),
        today_default=today().isoformat(),
    ), status


@bp.get("/personal/lofte/<int:promise_id>")
@requires("aggregates")
def staff_promise(promise_id: int):
    """A promise with its activities and their before/after figures."""
    promise = stored_or_404(Promise, promise_id)
    return _promise_page(promise)


@bp.post("/personal/lofte/<int:promise_id>")
@requires("plan")
def update_promise(promise_id: int):
    """Edit a promise (title, focus areas, parties, signed date, published)."""
    db = get_session()
    promise = stored_or_404(Promise, promise_id)
    try:
        save_promise(db, promise_values(typed_dates(request.form, ("signed_on",))), promise_id)
    except PlanError as exc:
        return _promise_page(promise, errors=promise_messages(exc.errors), status=422)
    return redirect(url_for("promise.staff_promise", promise_id=promise_id, saved=1), 303)


@bp.post("/personal/lofte/<int:promise_id>/aktiviteter")
@requires("plan")
def create_activity(promise_id: int):
    """Add an activity to a promise's action plan."""
    db = get_session()
    promise = stored_or_404(Promise, promise_id)
    try:
        values = activity_values(
            typed_dates(request.form, ("start_on", "end_on")), set(labels()["areas"])
        )
        activity = save_activity(db, promise_id, values)
    except PlanError as exc:
        return _promise_page(promise, activity_errors=activity_messages(exc.errors), status=422)
    return redirect(url_for("promise.staff_activity", activity_id=activity.id), 303)


def _activity_page(activity: Activity, *, errors=None, status=200):
    db = get_session()
    result = activity_followup(activity)
    return render_template(
        "staff/activity.html",
        activity=activity,
        promise=db.get(Promise, activity.promise_id),
        notes=notes(db, activity.id),
        followup=result.followup,
        followup_text=followup_text(result, k=None),
        area_mapping=area_mapping_note(activity),
        labels=labels(),
        errors=errors or {},
        responsible=RESPONSIBLE,
        statuses=ACTIVITY_STATUSES,
        split_list=split_list,
        can_edit=current_user.can("plan"),
        today=today(),
    ), status


@bp.get("/personal/aktivitet/<int:activity_id>")
@requires("aggregates")
def staff_activity(activity_id: int):
    """An activity: its figures before and after the start, notes, and the edit form."""
    activity = stored_or_404(Activity, activity_id)
    return _activity_page(activity)


@bp.post("/personal/aktivitet/<int:activity_id>")
@requires("plan")
def update_activity(activity_id: int):
    """Edit an activity, or add a dated follow-up note to it."""
    db = get_session()
    activity = stored_or_404(Activity, activity_id)
    try:
        if "note" in request.form:
            add_note(db, activity_id, request.form["note"], current_user.name, today())
        else:
            values = activity_values(
                typed_dates(request.form, ("start_on", "end_on")), set(labels()["areas"])
            )
            save_activity(db, activity.promise_id, values, activity_id)
    except PlanError as exc:
        return _activity_page(activity, errors=activity_messages(exc.errors), status=422)
    return redirect(url_for("promise.staff_activity", activity_id=activity_id, saved=1), 303)
