"""Security headers on every route, nonce-only inline scripts, errors without tracebacks."""

from __future__ import annotations

import re

import pytest

from geoservice.web.security import CACHEABLE_ENDPOINTS


def every_route(app):
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<path:[^>]+>", "leaflet.js", rule.rule)
        url = re.sub(r"<package>", "leaflet", url)
        url = re.sub(r"<format>", "json", url)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


RECEIPT_PAGES = {"public.receipt_lookup", "public.receipt", "public.erase"} | {
    "api.get_report",
    "api.delete_report",
}


def test_every_route_sends_the_security_headers(app, client, login):
    login("admin")
    seen = 0
    for endpoint, method, url in every_route(app):
        if endpoint == "auth.logout":
            continue
        with client.open(url, method=method, base_url="https://localhost") as response:
            headers = response.headers
            csp = headers["Content-Security-Policy"]
            script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
            assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
            assert "frame-ancestors 'none'" in csp
            assert headers["X-Content-Type-Options"] == "nosniff"
            # The resident's receipt pages ask for less: their URLs carry the code.
            policies = {"same-origin"} | ({"no-referrer"} if endpoint in RECEIPT_PAGES else set())
            assert headers["Referrer-Policy"] in policies, endpoint
            assert headers["Strict-Transport-Security"].startswith("max-age=")
            assert headers["X-Correlation-Id"]
            if endpoint not in CACHEABLE_ENDPOINTS or method != "GET":
                assert headers["Cache-Control"] == "no-store", (endpoint, method)
            seen += 1
    assert seen >= 20


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize("path", ["/", "/karta"])
def test_inline_scripts_carry_the_responses_nonce(client, path):
    response = client.get(path)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline, "the map script should be inline"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert (
        client.get(path).headers["Content-Security-Policy"]
        != response.headers["Content-Security-Policy"]
    ), "a fresh nonce per response"
    assert not re.search(r"\son[a-z]+=", page), "no inline event handlers"


def test_tile_host_is_allowed_for_images_only(tmp_path):
    from geoservice import create_app

    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "TILE_URL": "https://tiles.example.se/{z}/{x}/{y}.png",
        }
    )
    with app.test_request_context("/"):
        from geoservice.web.security import content_security_policy

        csp = content_security_policy()
    assert "img-src 'self' data: https://tiles.example.se" in csp
    assert "tiles.example.se" not in csp.split("img-src")[0]


def test_unexpected_errors_show_a_correlation_id_and_no_traceback(app, client, caplog):
    def explode():
        raise RuntimeError("secret internals at /srv/app.py line 42")

    app.add_url_rule("/personal/explode", "explode", explode)
    app.add_url_rule("/api/v1/explode", "api_explode", explode)
    from geoservice.web.access import PUBLIC_ENDPOINTS

    app.view_functions["explode"].permission = None
    public = set(PUBLIC_ENDPOINTS)
    try:
        import geoservice.web.access as access

        access.PUBLIC_ENDPOINTS = frozenset(public | {"explode", "api_explode"})
        page = client.get("/personal/explode")
        api = client.get("/api/v1/explode", headers={"X-Request-Id": "req-12345678"})
    finally:
        access.PUBLIC_ENDPOINTS = frozenset(public)
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert page.headers["X-Correlation-Id"] in text
    assert api.status_code == 500
    body = api.get_json()
    assert body["correlation_id"] == "req-12345678" and "secret" not in str(body)
    assert "req-12345678" in caplog.text and "secret internals" in caplog.text
