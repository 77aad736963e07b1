"""Settings: declared defaults, then ``GEOSERVICE_*`` environment variables, then test config.

Every setting is declared once here with a description; the README's configuration table
is checked against this list by a test, so a setting cannot go undocumented.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoservice.core.privacy.suppression import PUBLIC_TIME_ZONE

ENV_PREFIX = "GEOSERVICE_"


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _parse_point(raw: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in raw.split(","))
    except ValueError:
        raise ValueError(f"expected 'lat,lon' in degrees, got {raw!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"expected 'lat,lon' in degrees, got {raw!r}")
    return lat, lon


def _parse_positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(f"expected a whole number of at least 1, got {raw!r}")
    return value


def _parse_public_url(raw: str) -> str:
    from urllib.parse import urlsplit

    raw = raw.strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"expected a base URL such as https://trygghet.example.se, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name (without prefix), default and meaning."""

    name: str
    default: Any
    description: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy database URL. Default: a SQLite file `geoservice.sqlite3` in the "
        "instance folder. Production: `postgresql+psycopg://user@host/db`.",
    ),
    Setting(
        "INSTANCE_PATH",
        None,
        "Folder for the SQLite file and the generated secret key. Default: Flask's instance "
        "folder: `instance/` in a source checkout, `<venv>/var/geoservice-instance` when "
        "installed.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Signs sessions and CSRF tokens and keys the daily client hash and the stored hash "
        "of every receipt code (changing it makes every resident's code stop working). "
        "Default: generated once and kept in `secret_key` in the instance folder (never in "
        "the repository).",
    ),
    Setting(
        "REDIS_URL",
        None,
        "Rate-limit storage, e.g. `redis://127.0.0.1:6379/0`. Unset: in memory, which only "
        "holds within a single process.",
    ),
    Setting(
        "RATELIMIT_ENABLED",
        True,
        "`true` by default; `false` turns rate limits off (bulk loads, tests).",
        _parse_bool,
    ),
    Setting(
        "REPORT_RATE_LIMIT",
        "6 per minute;40 per day",
        "How many concerns one client address may submit (Flask-Limiter syntax).",
    ),
    Setting(
        "RECEIPT_RATE_LIMIT",
        "10 per minute;50 per day",
        "How many receipt codes that find nothing one client address may try, on the "
        "pages and the API together (Flask-Limiter syntax); a code that works never counts.",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        64 * 1024,
        "Largest accepted request body in bytes; larger bodies get 413.",
        _parse_positive_int,
    ),
    Setting(
        "K_ANONYMITY",
        5,
        "Smallest count ever published; smaller counts are shown as 'fewer than k'.",
        _parse_positive_int,
    ),
    Setting(
        "STAFF_IDLE_MINUTES",
        30,
        "A staff session ends after this many minutes without a request.",
        _parse_positive_int,
    ),
    Setting(
        "STAFF_MAX_HOURS",
        10,
        "A staff session ends this many hours after login, however active.",
        _parse_positive_int,
    ),
    Setting(
        "COOKIE_SECURE",
        False,
        "`true` behind HTTPS: cookies are then only sent over HTTPS.",
        _parse_bool,
    ),
    Setting(
        "PRODUCTION",
        False,
        "`true` in production (`geoservice serve --production` sets it): the secret key must "
        "then come from `GEOSERVICE_SECRET_KEY`, never from a generated file.",
        _parse_bool,
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "How many reverse proxies stand in front (their X-Forwarded-For/-Proto/-Host are "
        "trusted, e.g. 1 behind nginx); 0 when clients connect directly.",
        int,
    ),
    Setting(
        "RETENTION_TEXT_DAYS",
        365,
        "`geoservice purge` erases free text (description, suggestion, where exactly, internal "
        "note) of concerns older than this; 0 keeps it.",
        int,
    ),
    Setting(
        "RETENTION_POINT_DAYS",
        730,
        "`geoservice purge` coarsens exact points older than this to their hex cell's centre "
        "(about 130 m); 0 keeps them.",
        int,
    ),
    Setting(
        "RETENTION_DELETE_DAYS",
        0,
        "`geoservice purge` deletes concerns older than this; 0 (the default) keeps them.",
        int,
    ),
    Setting(
        "RETENTION_AUDIT_DAYS",
        730,
        "`geoservice purge` deletes audit-log events older than this; 0 keeps them.",
        int,
    ),
    Setting(
        "PATROL_LOOKBACK_MONTHS",
        12,
        "How many months back the patrol plan looks by default (a rolling year, as analysts "
        "plan); the page offers other look-backs.",
        _parse_positive_int,
    ),
    Setting(
        "PATROL_START",
        (58.7005, 12.4535),
        "Where patrol routes start, as `lat,lon` (default: Mellerud town centre).",
        _parse_point,
    ),
    Setting(
        "TILE_URL",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Base-map tile URL template; empty for no base map (the areas still draw).",
    ),
    Setting(
        "TILE_ATTRIBUTION",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
        "Attribution shown for the base-map tiles.",
    ),
    # Issue 18: e-mailing the weekly lägesbild. Unset SMTP_HOST: a page and a download only.
    Setting(
        "SMTP_HOST",
        "",
        "SMTP server that sends the weekly lägesbild by e-mail, e.g. `smtp.mellerud.se`. "
        "Empty (the default): no e-mail; the lägesbild is a page and a PDF download.",
    ),
    Setting("SMTP_PORT", 587, "Port of the SMTP server.", _parse_positive_int),
    Setting(
        "SMTP_STARTTLS",
        True,
        "Whether to switch the SMTP connection to TLS (STARTTLS) before logging in.",
        _parse_bool,
    ),
    Setting("SMTP_USER", "", "SMTP login name; empty: send without logging in."),
    Setting("SMTP_PASSWORD", "", "SMTP password (with `SMTP_USER`)."),
    Setting(
        "SMTP_FROM",
        "",
        "Sender address of the lägesbild e-mails, e.g. `trygghet@mellerud.se`.",
    ),
    Setting(
        "LAGESBILD_RECIPIENTS",
        "",
        "Who receives the weekly lägesbild: e-mail addresses separated by commas.",
    ),
    Setting(
        "PUBLIC_URL",
        "",
        "The service's public base URL, e.g. `https://trygghet.mellerud.se`: absolute links "
        "(the Open311 discovery document, the receipt link in an Open311 answer) are built "
        "from it, never from the request's Host header. Empty: the request's host in "
        "development; in production such links are then left relative and "
        "`serve --production` warns.",
        _parse_public_url,
    ),
    Setting(
        "TOKEN_DAYS",
        90,
        "An API token made by `geoservice create-token` expires after this many days "
        "unless `--days` says otherwise.",
        _parse_positive_int,
    ),
    Setting(
        "LOGIN_ACCOUNT_LIMIT",
        "5 per minute;20 per hour",
        "How many failed logins one account name may have, from all addresses together "
        "(Flask-Limiter syntax); per address the limit is 10 a minute and 50 an hour.",
    ),
    Setting(
        "CONTACT",
        "",
        "Contact line shown on the pages (e.g. the kommunpolis' office hours and the "
        "municipality's switchboard). Empty: only the general police numbers are shown.",
    ),
)


def _instance_secret(instance_path: Path) -> str:
    """Return the instance folder's secret key, creating it once if absent."""
    path = instance_path / "secret_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse every declared setting present in ``environ``; raise naming the bad variable."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(ENV_PREFIX + setting.name)
        if raw is None:
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{ENV_PREFIX}{setting.name}: {exc}") from None
    return values


def build_config(
    instance_path: Path, environ: Mapping[str, str], test_config: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Merge defaults, environment and test config into Flask config values."""
    config: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    config.update(read_environment(environ))
    if test_config:
        config.update(test_config)
    if not config.get("DATABASE_URL"):
        instance_path.mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'geoservice.sqlite3'}"
    if not config.get("SECRET_KEY"):
        if config.get("PRODUCTION"):
            raise ValueError(
                f"{ENV_PREFIX}SECRET_KEY must be set in production (a long random string, "
                "the same for every worker)"
            )
        config["SECRET_KEY"] = _instance_secret(instance_path)
    if not 0 <= int(config.get("PROXY_COUNT") or 0) <= 5:
        raise ValueError(f"{ENV_PREFIX}PROXY_COUNT: expected 0 to 5")
    config["RATELIMIT_STORAGE_URI"] = config.get("REDIS_URL") or "memory://"
    config["RATELIMIT_HEADERS_ENABLED"] = True
    config["SESSION_COOKIE_SECURE"] = bool(config["COOKIE_SECURE"])
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config.setdefault("BABEL_DEFAULT_LOCALE", "sv")
    config.setdefault("BABEL_DEFAULT_TIMEZONE", PUBLIC_TIME_ZONE)
    return config
