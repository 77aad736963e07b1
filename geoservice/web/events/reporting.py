"""Taking in partners' events: shared by the phone form and the JSON API."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.events.validation import validate_events
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.events.repository import StoredEvents, store_events
from geoservice.web.events.places import find_named_place


def reporting_organisation() -> str:
    """The organisation an event is reported for: the partner's own, or the staff role's."""
    if current_user.organisation:
        return current_user.organisation
    return {"police": _("Polisen"), "municipality": _("Kommunen")}.get(
        current_user.role, _("Kommunen")
    )


def submit_events(
    items: Sequence[Any],
    *,
    from_form: bool,
    channel: str,
    error_key: Callable[[int, str], str],
) -> StoredEvents:
    """Check every event and store them together; raises EventsRejected or EventKeyConflict."""
    layer = current_layer()
    drafts = validate_events(
        items,
        locate=layer.locate,
        named_place=find_named_place,
        from_form=from_form,
        now=datetime.now(UTC),
        error_key=error_key,
    )
    return store_events(
        get_session(),
        drafts,
        reporter_id=current_user.id,
        reporter_name=current_user.name,
        organisation=reporting_organisation(),
        channel=channel,
    )
