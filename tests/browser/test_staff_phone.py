"""Staff pages on a phone (390×844) and a desktop (1366×900), as every role.

Every staff GET page of the app is walked (read from the URL map, so a page added later is
walked too) and must not scroll sideways; the moderation and audit pages are checked with
axe at both sizes, used with the keyboard and a thumb, and photographed for docs/staff.md.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_PASSWORD, assert_accessible

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Downloads, API answers and walk photos are not pages a person scrolls.
NOT_A_PAGE = re.compile(r"\.(csv|gpx|geojson|pdf|json)$|\.<|^/api/|/foto/")


def _staff_pages() -> list[tuple[str, str, tuple[str, ...]]]:
    """(endpoint, rule, arguments) of every staff GET page, from a throwaway app's URL map."""
    from geoservice import create_app
    from geoservice.web.access import PUBLIC_ENDPOINTS

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": "sqlite://",
                "SECRET_KEY": "url-map-only",
                "INSTANCE_PATH": str(Path(folder) / "instance"),
            }
        )
        pages = [
            (rule.endpoint, rule.rule, tuple(sorted(rule.arguments)))
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods
            and rule.endpoint not in PUBLIC_ENDPOINTS
            and not NOT_A_PAGE.search(rule.rule)
        ]
    return sorted(set(pages))


def _roles() -> tuple[str, ...]:
    from geoservice.store.accounts import ROLES

    return ROLES


STAFF_PAGES = _staff_pages()


def _cases():
    for role in _roles():
        for endpoint, rule, arguments in STAFF_PAGES:
            yield pytest.param(role, rule, arguments, id=f"{role}-{endpoint}")


@pytest.fixture(scope="module")
def staff_server(demo_server):
    """The demo server with an account for every role (roles added later included)."""
    from geoservice.core.categories import WALK_CATEGORY_CODES
    from geoservice.core.walks.protocol import ObservationDraft, PlanDraft
    from geoservice.store.accounts import create_user
    from geoservice.store.db import session_scope
    from geoservice.store.models import User
    from geoservice.store.walks.models import Walk
    from geoservice.store.walks.repository import add_observation, create_walk

    with session_scope(demo_server.app) as session:
        have = {u.name for u in session.query(User)}
        for role in _roles():
            if f"{role}-browser" not in have:
                # A partner account belongs to an organisation; the other roles have none.
                organisation = "Mellerudsbostäder" if role == "partner" else None
                create_user(
                    session, f"{role}-browser", role, STAFF_PASSWORD, organisation=organisation
                )
        if not session.query(Walk).count():
            # A safety walk with one observation, so that its pages are walked too.
            plan = PlanDraft("Kvällsvandring", date(2026, 10, 1), None, ("Resecentrum",), ())
            walk = create_walk(session, plan, created_by="admin-browser")
            code = WALK_CATEGORY_CODES[0]
            draft = ObservationDraft(12.4535, 58.7005, "mellerud-holm", code, "Trasig lampa")
            add_observation(session, walk.id, draft, photo=None, recorded_by="admin-browser")
    return demo_server


def _values(server) -> dict[str, str]:
    """A real value for each URL argument the staff pages take."""
    report = server.rows(
        "SELECT id FROM reports WHERE precision = 'point' ORDER BY created_at DESC"
    )
    promise = server.rows("SELECT id FROM promises ORDER BY id")
    activity = server.rows("SELECT id FROM activities ORDER BY id")
    walk = server.rows("SELECT id FROM walks ORDER BY id")
    observation = server.rows("SELECT id FROM walk_observations ORDER BY id")
    return {
        "walk_id": str(walk[0]["id"]),
        "observation_id": str(observation[0]["id"]),
        "report_id": report[0]["id"],
        "promise_id": str(promise[0]["id"]),
        "activity_id": str(activity[0]["id"]),
    }


def log_in(context, server, role: str):
    page = context.new_page()
    page.goto(server.url + "/personal/logga-in")
    page.fill("#name", f"{role}-browser")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    # Staff land on their start page, which names them; a partner lands on the event form.
    landing = "Rapportera händelse" if role == "partner" else f"{role}-browser"
    expect(page.locator("h1")).to_contain_text(landing)
    return page


def sideways_overflow(page) -> dict | None:
    """None when the page fits its width; else how wide it is and the widest elements.

    A mobile-emulated Chromium widens ``innerWidth`` to fit an overflowing page (it zooms
    out), so the root's ``clientWidth`` is compared as well: neither may be exceeded.
    """
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const width = Math.min(window.innerWidth, root.clientWidth);
          if (root.scrollWidth <= width) return null;
          const wide = [];
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (r.right > width + 1 && r.width > 0) {
              const cls = typeof el.className === 'string' ? el.className.split(' ')[0] : '';
              wide.push(`${el.tagName.toLowerCase()}#${el.id}.${cls} ${Math.round(r.right)}`);
            }
          }
          return {scrollWidth: root.scrollWidth, width: width, wide: wide.slice(0, 8)};
        }"""
    )


@pytest.fixture(scope="module")
def phone_pages(browser, staff_server):
    """One logged-in phone page per role, shared by the walk (logging in is the slow part)."""
    contexts, pages = [], {}
    for role in _roles():
        # Not mobile-emulated: innerWidth then stays the phone's 390 px (see above).
        context = browser.new_context(viewport=PHONE, locale="sv-SE", has_touch=True)
        context.set_default_timeout(20_000)
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(staff_server.url)
                or route.request.url.startswith("data:")
                else route.abort("blockedbyclient")
            ),
        )
        contexts.append(context)
        pages[role] = log_in(context, staff_server, role)
    yield pages
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("role", "rule", "arguments"), list(_cases()))
def test_no_staff_page_scrolls_sideways_on_a_phone(
    phone_pages, staff_server, role, rule, arguments
):
    values = _values(staff_server)
    missing = [a for a in arguments if a not in values]
    assert not missing, f"no test value for {missing} of {rule}: add one to _values()"
    path = rule
    for name in arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", values[name], path)
    page = phone_pages[role]
    response = page.goto(staff_server.url + path)
    assert response is not None and response.status in (200, 403), (path, response.status)
    page.wait_for_load_state("load")
    overflow = sideways_overflow(page)
    assert overflow is None, f"{path} as {role} scrolls sideways at 390 px: {overflow}"


# The pages this issue made phone-first: axe at both sizes, and what the thumb meets first.
OWN_PAGES = {
    "queue": "/personal/moderering",
    "audit": "/personal/logg",
    "promises": "/personal/lofte",
    "home": "/personal/",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_own_staff_pages_pass_axe_at_both_sizes(new_context, staff_server, viewport):
    values = _values(staff_server)
    context = new_context(viewport=viewport)
    page = log_in(context, staff_server, "admin")
    paths = dict(OWN_PAGES)
    paths["concern"] = f"/personal/synpunkt/{values['report_id']}"
    paths["promise"] = f"/personal/lofte/{values['promise_id']}"
    paths["activity"] = f"/personal/aktivitet/{values['activity_id']}"
    paths["areas"] = "/personal/admin/omraden"
    for label, path in paths.items():
        page.goto(staff_server.url + path)
        assert_accessible(page, f"{label} at {viewport['width']} px")
        assert sideways_overflow(page) is None, label
    context.clear_cookies()
    page.goto(staff_server.url + "/personal/logga-in")
    assert_accessible(page, f"login at {viewport['width']} px")


def test_phone_queue_shows_concerns_first_with_filters_folded(
    new_context, staff_server, screenshot_dir
):
    page = log_in(
        new_context(viewport=PHONE, is_mobile=True, has_touch=True), staff_server, "police"
    )
    page.goto(staff_server.url + "/personal/moderering")
    expect(page.locator("#queue-filters")).not_to_have_attribute("open", "")
    first = page.locator("#queue tbody tr").first
    box = first.bounding_box()
    page.screenshot(path=screenshot_dir / "staff-queue-phone.png")
    assert box["y"] < PHONE["height"], "the first concern is below the first screen"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not re.search(
        r"\b(night|evening|new|confirmed|drugs)\b", page.locator("#queue").inner_text()
    )

    page.click("#queue-filters summary")
    expect(page.locator("#from")).to_be_visible()
    assert page.locator("#from").get_attribute("type") == "date"
    page.select_option("#time_of_day", "night")
    page.click("#apply-filter")
    expect(page.locator("#queue-filters summary")).to_contain_text("natt")
    assert "time_of_day=night" in page.url


def test_phone_moderator_reads_the_map_marks_a_duplicate_and_uses_a_shortcut(
    new_context, staff_server, screenshot_dir
):
    import uuid
    from datetime import UTC, datetime, timedelta

    from geoservice.store.aggregates import bump_version
    from geoservice.store.db import session_scope
    from geoservice.store.models import Report

    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    with session_scope(staff_server.app) as session:
        for offset, (report_id, days) in enumerate(zip(ids, (1, 5), strict=True)):
            session.add(
                Report(
                    id=report_id,
                    lat=58.71090 + offset * 0.0002,  # about 22 m apart
                    lon=12.46010,
                    category="lighting",
                    time_of_day="evening",
                    weekend=False,
                    area_id="mellerud-holm",
                    description="Trasig gatlampa vid busshållplatsen",
                    created_at=now - timedelta(days=days),
                )
            )
        bump_version(session)

    page = log_in(
        new_context(viewport=PHONE, is_mobile=True, has_touch=True), staff_server, "police"
    )
    page.goto(staff_server.url + f"/personal/synpunkt/{ids[0]}")
    expect(page.locator("#concern-map .leaflet-interactive").first).to_be_visible()
    zoom = page.evaluate(
        "() => window[Object.keys(window).find((k) => k.startsWith('map_'))].getZoom()"
    )
    assert zoom >= 15, f"the concern's map opens at zoom {zoom}, not on its block"
    expect(page.locator("#concern-time")).to_have_text("Kväll (18–22), vardag")
    expect(page.locator("#neighbours")).to_contain_text("22 m bort")
    assert sideways_overflow(page) is None
    assert_accessible(page, "concern on a phone")
    page.screenshot(path=screenshot_dir / "staff-concern-phone.png", full_page=True)

    page.locator("#neighbours .mark-duplicate").first.click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#current-status")).to_have_text("Dubblett")
    expect(page.locator("#history")).to_contain_text("Dubblett av synpunkten från")

    # Keyboard: B confirms and saves (outside the text fields), as the page documents.
    page.goto(staff_server.url + f"/personal/synpunkt/{ids[1]}")
    page.click("#shortcuts summary")
    expect(page.locator("#shortcuts")).to_contain_text("Bekräftad")
    page.locator("h1").click()
    page.keyboard.press("b")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#current-status")).to_have_text("Bekräftad")
    # Typed into a text field, the letter is only a letter.
    page.fill("#reason", "")
    page.locator("#reason").press_sequentially("hs")
    expect(page.locator("#current-status")).to_have_text("Bekräftad")
    assert page.locator("#reason").input_value() == "hs"


def test_desktop_moderation_map_is_above_the_fold(new_context, staff_server):
    values = _values(staff_server)
    page = log_in(new_context(viewport=DESKTOP), staff_server, "municipality")
    page.goto(staff_server.url + f"/personal/synpunkt/{values['report_id']}")
    box = page.locator("#concern-map").bounding_box()
    assert box["y"] + box["height"] <= DESKTOP["height"], box
    assert_accessible(page, "concern at 1366 px")


def test_phone_admin_reads_the_audit_log_as_sentences_filters_it_and_exports_it(
    new_context, staff_server, screenshot_dir, tmp_path
):
    police = log_in(new_context(viewport=PHONE), staff_server, "police")
    police.goto(staff_server.url + "/personal/moderering?category=drugs&time_of_day=night")
    page = log_in(
        new_context(viewport=PHONE, is_mobile=True, has_touch=True), staff_server, "admin"
    )
    page.goto(staff_server.url + "/personal/logg")
    first = page.locator("#audit li").first
    expect(first).to_contain_text("Administratör admin-browser loggade in.")
    expect(page.locator("#audit")).to_contain_text(
        re.compile(
            r"Polis police-browser visade fritext(er)? för [\d\u00a0]+ synpunkt(er)? "
            r"i modereringskön, filter: narkotika, natt\."
        )
    )
    text = page.locator("#audit").inner_text()
    assert "view_free_text" not in text and "UTC" not in text
    assert sideways_overflow(page) is None
    page.screenshot(path=screenshot_dir / "staff-audit-phone.png")

    # The raw record is one tap away for the admin.
    item = page.locator("#audit li", has_text="narkotika, natt").first
    item.locator("summary").click()
    expect(item.locator("dl")).to_contain_text("view_free_text")
    expect(item.locator("dl")).to_contain_text('"time_of_day": "night"')

    page.click("#audit-filters summary")
    page.select_option("#audit-user", "police-browser")
    page.click("#apply-audit-filter")
    expect(page.locator("#audit")).not_to_contain_text("admin-browser loggade in")
    with page.expect_download() as download_info:
        page.click("#audit-csv")
    path = tmp_path / "logg.csv"
    download_info.value.save_as(path)
    body = path.read_text(encoding="utf-8-sig")
    assert body.startswith("at_utc,at_local,user_name")
    assert "police-browser" in body and "admin-browser" not in body.split("\n", 1)[1]
    page.goto(staff_server.url + "/personal/logg?action=export_audit")
    expect(page.locator("#audit li").first).to_contain_text("exporterade")
    expect(page.locator("#audit li").first).to_contain_text("person police-browser")
