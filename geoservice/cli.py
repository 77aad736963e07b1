"""The ``geoservice`` command line: set-up and operations (SPEC §8)."""

from __future__ import annotations

import functools
import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from geoservice.store import schema
from geoservice.store.db import engine_for


def main() -> None:
    """Entry point of the ``geoservice`` console script."""
    from geoservice import create_app

    FlaskGroup(create_app=create_app, add_default_commands=False, help=__doc__).main()


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema or upgrade it to the newest version."""
    engine = engine_for(current_app)
    before = schema.current_revision(engine)
    after = schema.upgrade(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"Schema already at revision {after} ({url}).")
    else:
        click.echo(f"Schema upgraded from {before or 'empty'} to {after} ({url}).")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--production", is_flag=True, help="Serve with gunicorn and several worker processes."
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes with --production.",
)
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker with --production (more than 1: gunicorn's gthread workers).",
)
@click.option(
    "--without-redis",
    is_flag=True,
    help="With --production and several workers: start although GEOSERVICE_REDIS_URL is "
    "unset (each worker then keeps its own rate limits, multiplying them).",
)
@with_appcontext
def serve(
    host: str, port: int, production: bool, workers: int, threads: int, without_redis: bool
) -> None:
    """Apply pending migrations and serve the app."""
    schema.upgrade(engine_for(current_app))
    if not production:
        # Flask refuses app.run() inside its own CLI; Werkzeug's server is what it would run.
        from geoservice.web.serving import freeze_long_lived_objects

        freeze_long_lived_objects()
        run_simple(host, port, current_app._get_current_object(), threaded=True)
        return
    if not os.environ.get("GEOSERVICE_SECRET_KEY"):
        raise click.ClickException(
            "set GEOSERVICE_SECRET_KEY (the same long random value for every worker) "
            "before serving in production"
        )
    _check_production_limits(workers, without_redis)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if not os.path.exists(gunicorn):
        gunicorn = shutil.which("gunicorn") or ""
    if not gunicorn:
        raise click.ClickException("gunicorn is not installed in this environment")
    os.environ["GEOSERVICE_PRODUCTION"] = "true"
    os.execv(gunicorn, production_command(gunicorn, host, port, workers, threads))


def _check_production_limits(workers: int, without_redis: bool) -> None:
    """Refuse (or, when told, warn loudly) where rate limits would not hold across workers."""
    config = current_app.config
    if not config.get("PUBLIC_URL"):
        click.secho(
            "WARNING: GEOSERVICE_PUBLIC_URL is unset: the Open311 discovery document and "
            "receipt links carry relative URLs. Set it to the service's public address.",
            fg="yellow",
            err=True,
        )
    if not config.get("RATELIMIT_ENABLED"):
        return
    url = config.get("REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except (redis.exceptions.RedisError, ValueError) as exc:
            raise click.ClickException(
                f"cannot reach Redis at GEOSERVICE_REDIS_URL ({exc}); rate limits and login "
                "throttling need it shared by every worker"
            ) from None
        return
    if workers == 1:
        return
    message = (
        f"GEOSERVICE_REDIS_URL is unset: each of the {workers} workers keeps its own rate "
        f"limits, so a client gets {workers} times the submissions and login guesses allowed."
    )
    if not without_redis:
        raise click.ClickException(
            message + " Set GEOSERVICE_REDIS_URL, or pass --without-redis to start anyway."
        )
    click.secho("WARNING: " + message, fg="red", bold=True, err=True)


def production_command(
    gunicorn: str, host: str, port: int, workers: int, threads: int = 1
) -> list[str]:
    """The gunicorn command line of ``geoservice serve --production``."""
    return [
        gunicorn,
        "--workers",
        str(workers),
        *(["--threads", str(threads)] if threads > 1 else []),
        "--bind",
        f"{host}:{port}",
        "--graceful-timeout",
        "20",
        "--access-logfile",
        "-",
        # Receipt codes travel in URLs; the access log shows [kod] instead.
        "--logger-class",
        "geoservice.web.log_redaction.GunicornLogger",
        "geoservice.web.serving:production_app()",
    ]


@click.command("seed-demo")
@click.option("--remove", is_flag=True, help="Delete exactly the demo concerns, nothing else.")
@click.option("--count", default=1500, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--seed", default=1461, show_default=True, type=int, help="Random seed.")
@with_appcontext
def seed_demo(remove: bool, count: int, seed: int) -> None:
    """Add clearly labelled synthetic concerns (or remove exactly them)."""
    from geoservice.store.db import session_scope
    from geoservice.store.demo import (
        add_demo_reports,
        add_example_promises,
        remove_demo_reports,
    )
    from geoservice.store.promises import remove_examples

    if remove:
        removed = remove_demo_reports(current_app)
        with session_scope(current_app) as session:
            promises = remove_examples(session)
        click.echo(
            f"Removed {removed} demo concerns and {promises} example promises; real data untouched."
        )
        return
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    added = add_demo_reports(
        current_app, count=count, start=end - timedelta(days=365), end=end, seed=seed
    )
    add_example_promises(current_app, end.date())
    click.echo(
        f"Added {added} synthetic demo concerns (flagged is_demo, source 'demo') and the "
        "example promises (2019, as described by the municipality, with invented activities; "
        "and an invented current one)."
    )


@click.command("create-user")
@click.argument("name")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["police", "municipality", "bra", "admin", "partner"]),
    help="What the account may see and do (SPEC §3); partner: reports events for its organisation.",
)
@click.option(
    "--organisation",
    default=None,
    help="The partner's organisation, e.g. 'Mellerudsbostäder' (required for --role partner).",
)
@with_appcontext
def create_user_command(name: str, role: str, organisation: str | None) -> None:
    """Create a staff account; the password is read from standard input."""
    from geoservice.store.accounts import AccountError, create_user
    from geoservice.store.db import session_scope

    stream = sys.stdin
    if stream.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = stream.readline().rstrip("\r\n")
    try:
        with session_scope(current_app) as session:
            user = create_user(session, name, role, password, organisation=organisation)
            click.echo(
                f"Created {role} account {user.name!r}"
                + (f" of {organisation.strip()!r}." if organisation else ".")
            )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("create-token")
@click.argument("name")
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    help="Days until the token expires (default GEOSERVICE_TOKEN_DAYS, 90).",
)
@with_appcontext
def create_token_command(name: str, days: int | None) -> None:
    """Print a new API token for the account NAME (shown once; only its hash is kept).

    It expires after --days (see `geoservice list-tokens`); `geoservice revoke-token`
    withdraws it sooner.
    """
    from geoservice.store.accounts import AccountError, create_token
    from geoservice.store.db import session_scope

    days = days or int(current_app.config["TOKEN_DAYS"])
    try:
        with session_scope(current_app) as session:
            click.echo(create_token(session, name, days=days))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("list-tokens")
@with_appcontext
def list_tokens_command() -> None:
    """List the API tokens: owner, created, last used, expiry and state (never the token)."""
    from geoservice.store.accounts import list_tokens
    from geoservice.store.db import session_scope

    now = datetime.now(UTC)
    with session_scope(current_app) as session:
        tokens = list_tokens(session)
    if not tokens:
        click.echo("No API tokens.")
    for t in tokens:
        used = f"{t.last_used_at:%Y-%m-%d %H:%M} UTC" if t.last_used_at else "never"
        expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
        click.echo(
            f"{t.id}: {t.user_name}, created {t.created_at:%Y-%m-%d}, last used {used}, "
            f"expires {expires}, {t.state(now)}"
        )


@click.command("revoke-token")
@click.argument("token", required=False)
@click.option("--user", "user_name", help="Revoke every token of this account instead.")
@with_appcontext
def revoke_token_command(token: str | None, user_name: str | None) -> None:
    """Withdraw an API token at once: TOKEN is its id (see list-tokens) or the token itself."""
    from geoservice.store.accounts import AccountError, revoke_tokens
    from geoservice.store.db import session_scope

    if (token is None) == (user_name is None):
        raise click.ClickException("name one token (its id or the token) or --user NAME")
    try:
        with session_scope(current_app) as session:
            if user_name is not None:
                count = revoke_tokens(session, user_name=user_name)
            elif token.isdigit():
                count = revoke_tokens(session, token_id=int(token))
            else:
                count = revoke_tokens(session, token=token)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked {count} token(s); they open nothing from now on.")


@click.command("disable-user")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@with_appcontext
def disable_user_command(name: str, enable: bool) -> None:
    """Disable a staff account: its sessions end now, it can no longer log in or use tokens."""
    from geoservice.store.accounts import AccountError, set_user_active
    from geoservice.store.db import session_scope

    try:
        with session_scope(current_app) as session:
            set_user_active(session, name, enable)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    if enable:
        click.echo(f"Enabled {name!r} again (its revoked tokens stay revoked).")
    else:
        click.echo(f"Disabled {name!r}: its sessions are ended and its tokens open nothing.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only report what the rules would change.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Apply the retention rules (GEOSERVICE_RETENTION_*) in one transaction."""
    from geoservice.core.privacy.retention import RetentionRules
    from geoservice.store.db import session_scope
    from geoservice.store.retention import purge

    config = current_app.config
    try:
        rules = RetentionRules(
            text_days=int(config["RETENTION_TEXT_DAYS"]),
            point_days=int(config["RETENTION_POINT_DAYS"]),
            delete_days=int(config["RETENTION_DELETE_DAYS"]),
            audit_days=int(config["RETENTION_AUDIT_DAYS"]),
        )
    except ValueError as exc:
        raise click.ClickException(f"retention settings: {exc}") from None
    with session_scope(current_app) as session:
        result = purge(session, rules, dry_run=dry_run)
    verb = "Would" if dry_run else "Did"
    click.echo(
        f"{verb} erase free text of {result.texts_erased} concerns, coarsen "
        f"{result.points_coarsened} exact points to their hex cell, delete "
        f"{result.concerns_deleted} concerns and {result.audit_events_deleted} audit events. "
        "No contact details are stored, so there are none to delete."
    )


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent copy of the SQLite database to TARGET while the service runs."""
    from geoservice.store.backup import BackupError, backup

    try:
        size = backup(engine_for(current_app), target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up the database to {target} ({size:,} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm that the current data is replaced.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE (stop the service first)."""
    from geoservice.store.backup import BackupError, restore

    if not yes:
        raise click.ClickException("restoring replaces every current row: add --yes to confirm")
    engine = engine_for(current_app)
    try:
        revision = restore(engine, source, head_revision=schema.head_revision())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    schema.upgrade(engine)
    click.echo(f"Restored {source} (schema revision {revision}, now {schema.head_revision()}).")


@click.command("import-boundaries")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", help="Layer to read (GeoPackage with several layers, zipped shapefiles).")
@click.option("--id-field", help="Field holding each area's id (guessed when left out).")
@click.option("--name-field", help="Field holding each area's name (guessed when left out).")
@click.option("--population-field", help="Field holding residents (guessed when left out).")
@click.option(
    "--no-population", is_flag=True, help="The file has no populations: rates are then not shown."
)
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def import_boundaries_command(
    path: Path,
    layer: str | None,
    id_field: str | None,
    name_field: str | None,
    population_field: str | None,
    no_population: bool,
    dry_run: bool,
) -> None:
    """Replace the area layer with PATH (GeoPackage, GeoJSON, Shapefile/.zip, GeoParquet)."""
    from geoservice.core.places.boundaries import BoundaryError
    from geoservice.store.areas import shipped_layer
    from geoservice.store.boundary_layers import import_layer, preview_references
    from geoservice.store.db import session_scope

    try:
        imported = read_boundaries(
            path, layer, id_field, name_field, population_field, no_population
        ).against_outline(shipped_layer().outline)
    except (BoundaryError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(imported.summary("en"))
    if dry_run:
        with session_scope(current_app) as session:
            _echo_remaps(preview_references(session, imported.areas), would=True)
        click.echo("Dry run: nothing was changed.")
        return
    with session_scope(current_app) as session:
        change = import_layer(session, imported, imported_by=os.environ.get("USER"))
    _echo_remaps(change.remaps, would=False)
    click.echo(
        f"Layer {change.layer_id} ({change.source}) is now in use. Re-assigned "
        f"{change.reassigned} concerns ({change.changed_area} changed area, {change.outside} "
        "fall outside every area). `geoservice boundaries rollback` restores the previous layer."
    )


def _echo_remaps(remaps, *, would: bool) -> None:
    """Say what a layer change does to the activities' areas, orphans first."""
    verb = "would be" if would else "were"
    moved = [r for r in remaps if r.new_ids != r.old_ids]
    for remap in moved:
        line = (
            f"activity {remap.activity_id} ({remap.title}): areas "
            f"{', '.join(remap.old_ids) or '-'} -> {', '.join(remap.new_ids) or 'none'}"
        )
        if remap.orphaned:
            line += f"; ORPHANED (no new area replaces them): {', '.join(remap.orphaned)}"
        click.echo(line)
    orphans = sum(bool(r.orphaned) for r in remaps)
    if moved:
        click.echo(
            f"{len(moved)} activities' areas {verb} carried over by overlap ({orphans} with "
            "orphaned areas); staff confirm each on its page."
        )


def read_boundaries(path, layer, id_field, name_field, population_field, no_population):
    """Read a boundary file with the importer's field options."""
    from geoservice.core.places.boundary_import import read_boundary_file

    return read_boundary_file(
        path,
        layer=layer,
        id_field=id_field,
        name_field=name_field,
        population_field=population_field,
        no_population=no_population,
    )


@click.group("boundaries")
def boundaries_group() -> None:
    """Inspect or roll back the area layer."""


@boundaries_group.command("rollback")
@with_appcontext
def boundaries_rollback() -> None:
    """Restore the layer in use before the last import (the shipped one at the end)."""
    from geoservice.store.boundary_layers import rollback_layer
    from geoservice.store.db import session_scope

    try:
        with session_scope(current_app) as session:
            change = rollback_layer(session, by=os.environ.get("USER"))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    _echo_remaps(change.remaps, would=False)
    click.echo(
        f"Now using {change.source}; re-assigned {change.reassigned} concerns "
        f"({change.changed_area} changed area, {change.outside} outside every area)."
    )


@boundaries_group.command("list")
@with_appcontext
def boundaries_list() -> None:
    """List the stored layers (the one in force marked) and the history of activations."""
    from geoservice.store.boundary_layers import activation_history, layer_history
    from geoservice.store.db import session_scope

    with session_scope(current_app) as session:
        layers = layer_history(session)
        history = activation_history(session)
        names = {layer.id: layer.source for layer in layers}
        click.echo("Layers:")
        mark = " " if any(layer.active for layer in layers) else "*"
        click.echo(f"{mark} shipped: approximate electoral districts 2022 (default)")
        for layer in layers:
            mark = "*" if layer.active else " "
            click.echo(
                f"{mark} {layer.id}: {layer.source}, {layer.area_count} areas, imported "
                f"{layer.imported_at:%Y-%m-%d %H:%M} UTC"
            )
        click.echo("History (newest first):")
        if not history:
            click.echo("  no layer change yet")
        for event in history:
            target = (
                "shipped"
                if event.layer_id is None
                else f"{event.layer_id} ({names.get(event.layer_id, '?')})"
            )
            undone = (
                f", rolled back {event.undone_at:%Y-%m-%d %H:%M} UTC" if event.undone_at else ""
            )
            who = f" by {event.by}" if event.by else ""
            click.echo(f"  {event.at:%Y-%m-%d %H:%M} UTC {event.action} -> {target}{who}{undone}")


@click.command("import-reports")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="List every rejected row with its reason; store nothing."
)
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid rows even when some are rejected."
)
@with_appcontext
def import_reports_command(path: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Import earlier concerns from a CSV (lat/lon columns) or GeoJSON file."""
    from geoservice.core.intake.report_import import (
        ReportFileError,
        read_report_rows,
        validate_rows,
    )
    from geoservice.store.areas import layer_for
    from geoservice.store.db import session_scope
    from geoservice.store.imports import import_drafts

    try:
        rows = read_report_rows(path)
    except ReportFileError as exc:
        raise click.ClickException(str(exc)) from None
    with session_scope(current_app) as session:
        layer = layer_for(current_app, session)
    check = validate_rows(rows, locate=layer.locate, area_point=layer.area_point)
    for row, errors in check.rejected:
        reasons = "; ".join(f"{field}: {message}" for field, message in errors.items())
        click.echo(f"row {row}: rejected: {reasons}")
    for row, earlier in check.duplicates:
        click.echo(f"row {row}: the same as row {earlier}, counted once")
    click.echo(
        f"{len(check.accepted)} valid rows, {len(check.rejected)} rejected, "
        f"{len(check.duplicates)} repeated."
    )
    if dry_run:
        click.echo("Dry run: nothing was stored.")
        return
    if check.rejected and not skip_invalid:
        raise click.ClickException(
            "nothing was imported because some rows were rejected; fix them, or pass "
            "--skip-invalid to import only the valid rows"
        )
    with session_scope(current_app) as session:
        added, existing = import_drafts(session, check.accepted, now=datetime.now(UTC))
    click.echo(f"Imported {added} concerns (source 'import'); {existing} were already stored.")


@click.group("places")
def places_group() -> None:
    """The named places (gazetteer) that name hot zones and patrol stops."""


@places_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    "mode",
    flag_value="replace",
    help="Use only the places in PATH.",
)
@click.option(
    "--extend",
    "mode",
    flag_value="extend",
    default=True,
    help="Add PATH's places to those in force; same names are replaced (default).",
)
@click.option("--layer", help="GeoPackage layer (the first one when left out).")
@click.option("--name-field", help="Field holding the name (guessed: name, namn).")
@click.option("--kind-field", help="Field holding the kind (guessed: kind, typ).")
@click.option("--radius-field", help="Field holding the reach in metres (guessed: radius_m).")
@click.option("--crs", help="CRS of a CSV's x/y columns, e.g. EPSG:3006.")
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@with_appcontext
def places_import(path, mode, layer, name_field, kind_field, radius_field, crs, dry_run) -> None:
    """Replace or extend the named places with PATH (GeoJSON, CSV or GeoPackage; any CRS)."""
    from geoservice.core.places.gazetteer import GazetteerError
    from geoservice.core.places.place_import import read_places_file
    from geoservice.store.db import session_scope
    from geoservice.store.places.gazetteer import PlacesError, save_places

    try:
        places = read_places_file(
            path,
            layer=layer,
            name_field=name_field,
            kind_field=kind_field,
            radius_field=radius_field,
            crs=crs,
        )
    except GazetteerError as exc:
        raise click.ClickException(str(exc)) from None
    kinds = places["kind"].value_counts()
    click.echo(
        f"{len(places)} places read from {path.name}: "
        + ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    )
    if dry_run:
        click.echo("Dry run: nothing was changed.")
        return
    try:
        with session_scope(current_app) as session:
            count = save_places(session, places, mode=mode, imported_by=os.environ.get("USER"))
    except (PlacesError, GazetteerError) as exc:
        raise click.ClickException(f"nothing was changed: {exc}") from None
    click.echo(f"{count} named places are now in use ({mode}).")


@places_group.command("reset")
@with_appcontext
def places_reset() -> None:
    """Remove the imported places; the shipped starter set is used again."""
    from geoservice.store.db import session_scope
    from geoservice.store.places.gazetteer import reset_places

    with session_scope(current_app) as session:
        removed = reset_places(session)
    click.echo(f"Removed {removed} imported places; the shipped set is in use.")


@places_group.command("list")
@with_appcontext
def places_list() -> None:
    """List the named places in use."""
    from geoservice.store.db import session_scope
    from geoservice.store.places.gazetteer import current_gazetteer, stored_place_count

    with session_scope(current_app) as session:
        gazetteer = current_gazetteer(session)
        origin = "imported" if stored_place_count(session) else "shipped starter set"
    click.echo(f"{len(gazetteer)} places ({origin}):")
    for row in gazetteer.places.itertuples():
        approx = " (approximate)" if row.approximate else ""
        click.echo(f"  {row.name} – {row.kind}, reach {row.radius_m:g} m{approx}")


# Commands that work on a database without the schema (they create or replace it).
_WITHOUT_SCHEMA = {"init-db", "serve", "restore", "backup"}


def _needs_schema(command: click.Command) -> click.Command:
    """Make ``command`` say plainly when the database is unreachable or not initialised."""
    from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

    callback = command.callback

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        engine = engine_for(current_app)
        url = engine.url.render_as_string(hide_password=True)
        try:
            revision = schema.current_revision(engine)
        except SQLAlchemyError as exc:
            raise click.ClickException(
                f"cannot reach the database {url}: {_first_line(exc)}"
            ) from None
        head = schema.head_revision()
        if revision is None:
            raise click.ClickException(
                f"the database {url} has no schema yet: run `geoservice init-db` first"
            )
        if revision != head:
            raise click.ClickException(
                f"the database {url} is at schema revision {revision}, this version needs "
                f"{head}: run `geoservice init-db` to upgrade it"
            )
        try:
            return callback(*args, **kwargs)
        except (OperationalError, ProgrammingError) as exc:
            raise click.ClickException(f"the database refused: {_first_line(exc)}") from None

    command.callback = with_appcontext(checked)
    return command


def _first_line(exc: Exception) -> str:
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _guard(command: click.Command) -> click.Command:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _guard(sub)
        return command
    if command.name not in _WITHOUT_SCHEMA:
        _needs_schema(command)
    return command


# The commands are module-level objects shared by every app the process creates, so they
# are guarded here, once, at import (guarding them in init_app nested the check once per
# app until a long-running process, such as the test suite, hit the recursion limit).
COMMANDS: tuple[click.Command, ...] = tuple(
    _guard(command)
    for command in (
        init_db,
        serve,
        seed_demo,
        create_user_command,
        create_token_command,
        list_tokens_command,
        revoke_token_command,
        disable_user_command,
        purge_command,
        backup_command,
        restore_command,
        import_boundaries_command,
        boundaries_group,
        import_reports_command,
        places_group,
    )
)


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI group."""
    for command in COMMANDS:
        app.cli.add_command(command)
