"""Real-browser fixtures: the app on a live local server, Debian's Chromium through Playwright.

Playwright cannot download its own browser here, so the system Chromium is launched. Every
request that does not go to the live server's host is aborted and recorded, so a test can
check that a page asked for nothing from a third-party host except base-map tiles (spec §7).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from geoservice import create_app
from geoservice.store import schema
from geoservice.store.db import engine_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Tiles come from a real third-party host in production; here every such request is
# aborted, which also proves the map still works when tiles cannot load.
TILE_HOST = "tile.openstreetmap.org"
TILE_URL = f"https://{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"
LOCAL_HOSTS = {"127.0.0.1"}
# WCAG 2.1 level A and AA rules only; best-practice rules are not requirements.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder as a browser test (``-m "not browser"`` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    """The app served over HTTP from a background thread, and its SQLite file."""

    url: str
    db_path: Path
    app: object

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Run a read-only query on the app's database file."""
        with closing(sqlite3.connect(self.db_path)) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, params).fetchall()

    def report(self, receipt: str) -> sqlite3.Row | None:
        """The concern a receipt code opens (only the code's keyed hash is stored)."""
        from geoservice.store.reports import normalise_receipt, receipt_digest

        digest = receipt_digest(self.app.config["SECRET_KEY"], normalise_receipt(receipt) or "")
        found = self.rows("SELECT * FROM reports WHERE receipt_hash = ?", (digest,))
        return found[0] if found else None

    def report_count(self) -> int:
        return self.rows("SELECT count(*) AS n FROM reports")[0]["n"]


def _serve(base: Path) -> Iterator[LiveServer]:
    """Serve a fresh app on its own SQLite file from a background thread."""
    db_path = base / "t.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(base / "instance"),
            "DATABASE_URL": f"sqlite:///{db_path}",
            "SECRET_KEY": "browser-test-secret",
            "RATELIMIT_ENABLED": False,
            "TILE_URL": TILE_URL,
        }
    )
    schema.upgrade(engine_for(app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", db_path=db_path, app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        engine_for(app).dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    yield from _serve(tmp_path_factory.mktemp("browser-app"))


STAFF_PASSWORD = "browser staff password"


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory) -> Iterator[LiveServer]:
    """A second server with the synthetic demo data and one account per role."""
    from datetime import UTC, datetime, timedelta

    from geoservice.store.accounts import create_user
    from geoservice.store.db import session_scope
    from geoservice.store.demo import add_demo_reports, add_example_promises

    for server in _serve(tmp_path_factory.mktemp("browser-demo")):
        end = datetime.now(UTC) + timedelta(days=1)
        add_demo_reports(server.app, count=1500, start=end - timedelta(days=365), end=end, seed=5)
        add_example_promises(server.app, end.date())
        with session_scope(server.app) as session:
            for role in ("police", "municipality", "bra", "admin"):
                create_user(session, f"{role}-browser", role, STAFF_PASSWORD)
        yield server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not CHROMIUM.exists():
        reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + "; browser tests may not be skipped under CI")
        pytest.skip(reason)
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@dataclass
class ExternalRequests:
    """Requests the page tried to send to a host other than the live server (all aborted)."""

    urls: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {urlsplit(url).hostname or "" for url in self.urls}

    def except_tiles(self) -> list[str]:
        return [url for url in self.urls if urlsplit(url).hostname != TILE_HOST]


def _guard(context, external: ExternalRequests) -> None:
    def handle(route):
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in {"data", "blob", "about"} or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            external.urls.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)


def serve_tiles(page) -> None:
    """Answer ``page``'s base-map tile requests with a local chequered tile, as if reachable.

    A page route wins over the context's guard, which aborts every other external request.
    """
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), "#e8e4d8")
    ImageDraw.Draw(image).rectangle((0, 0, 127, 127), fill="#c9d7c0")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    tile = buffer.getvalue()
    page.route(
        f"https://{TILE_HOST}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=tile),
    )


@pytest.fixture
def external_requests() -> ExternalRequests:
    return ExternalRequests()


@pytest.fixture
def new_context(browser, external_requests):
    """Factory for further guarded contexts (no-JS, other viewports); closed after the test."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", "sv-SE")
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**kwargs)
        context.set_default_timeout(10_000)
        _guard(context, external_requests)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh, guarded desktop context."""
    return new_context().new_page()


@pytest.fixture
def nojs_page(new_context):
    """A page in a fresh, guarded context with JavaScript disabled."""
    return new_context(java_script_enabled=False).new_page()


def assert_accessible(page, label: str = "") -> None:
    """Run axe-core on the page; fail on any serious or critical WCAG 2.1 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in bad
    ]
    where = label or page.url
    assert not bad, f"axe found serious/critical WCAG 2.1 AA violations on {where}:\n" + "\n".join(
        lines
    )


def assert_accessible_without_js(new_context, nojs_page, label: str = "") -> None:
    """axe-check what a visitor without JavaScript gets.

    axe-core cannot run where scripts are disabled (its timers never fire), so the page's
    HTML, as the no-JS page received it, is served again to a scripting context under a
    ``script-src 'none'`` policy: the page's own scripts stay off while axe (injected over
    the DevTools protocol, which the policy does not govern) runs.
    """
    url = nojs_page.url
    html = nojs_page.content()
    context = new_context()

    def serve(route):
        route.fulfill(
            status=200,
            body=html,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": "script-src 'none'",
            },
        )

    context.route(url, serve)
    page = context.new_page()
    page.goto(url)
    assert page.evaluate("() => typeof window.trygghetskartan") == "undefined"
    assert_accessible(page, label or f"{url} without JavaScript")


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
