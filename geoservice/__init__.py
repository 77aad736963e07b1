"""Trygghetskartan Mellerud: residents pin where they feel unsafe; staff see where and why."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, error handlers, commands."""
    # Imported here so that ``import geoservice.core`` stays free of Flask.
    from flask import Flask

    from geoservice.config import build_config
    from geoservice.resources import templates_dir

    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "GEOSERVICE_INSTANCE_PATH"
    )
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        template_folder=str(templates_dir()),
    )
    app.config.from_mapping(build_config(Path(app.instance_path), os.environ, test_config))
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from geoservice import i18n
    from geoservice.extensions import babel, csrf, limiter
    from geoservice.store import areas, db
    from geoservice.web import access, session

    session.init_app(app)
    db.init_app(app)
    areas.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent / "translations")
    )
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    access.init_app(app)


def register_blueprints(app: Flask) -> None:
    from geoservice.web import (
        accounts,
        api,
        assets,
        auth,
        council,
        exports,
        health,
        open311,
        openapi,
        patrol,
        places,
        promise,
        public,
        report,
        staff,
        staff_api,
        staff_maps,
    )

    app.register_blueprint(assets.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(open311.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(staff_api.bp)
    app.register_blueprint(staff_maps.bp)
    app.register_blueprint(promise.bp)
    app.register_blueprint(patrol.bp)
    app.register_blueprint(places.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(council.bp)
    app.register_blueprint(accounts.bp)
    register_partner_blueprints(app)


def register_partner_blueprints(app: Flask) -> None:
    """Issue 18: partners' event reporting, the weekly lägesbild, and safety walks."""
    from geoservice.web.events import api as events_api
    from geoservice.web.events import situation
    from geoservice.web.events import views as events
    from geoservice.web.walks import measures, public_walks, walks

    for module in (events, events_api, situation, walks, public_walks, measures):
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from geoservice.web import errors, security

    errors.init_app(app)
    security.init_app(app)


def register_commands(app: Flask) -> None:
    from geoservice import cli

    cli.init_app(app)
