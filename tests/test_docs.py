"""The README documents what the code declares: settings, API routes, commands."""

from __future__ import annotations

from pathlib import Path

from geoservice.config import ENV_PREFIX, SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme():
    missing = [s.name for s in SETTINGS if f"`{ENV_PREFIX}{s.name}`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_api_route_is_in_the_readme(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") or rule.rule == "/healthz":
            documented = rule.rule.replace("<receipt>", "<receipt>")
            assert documented in README, rule.rule


def test_every_command_is_in_the_readme(app):
    for name in app.cli.list_commands(None):
        assert f"geoservice {name}" in README, name
