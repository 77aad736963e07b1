"""The patrol log: bra reads it but cannot write it; stops must be hex cells of the grid."""

from __future__ import annotations

from datetime import date

import h3
import pytest
from werkzeug.datastructures import MultiDict

from geoservice.store.db import session_scope
from geoservice.store.patrol_log import PatrolLogError, is_patrol_cell, record_patrol
from tests.conftest import csrf_token_from

TOWN_CELL = h3.latlng_to_cell(58.7005, 12.4535, 10)
FORM = {"weekday": "fri", "from_hour": "20", "to_hour": "2", "stops": "5"}


def log_form(client, cells):
    token = csrf_token_from(client, "/personal/patrull?weekday=fri&from_hour=20&to_hour=2")
    data = FORM | {"csrf_token": token, "carried_out_on": date.today().isoformat()}
    return MultiDict(list(data.items()) + [("cells", c) for c in cells])


def test_bra_reads_the_patrol_log_but_cannot_write_it(client, login):
    login("bra")
    page = client.get("/personal/patrull", query_string=FORM)
    assert page.status_code == 200 and 'id="log-form"' not in page.get_data(as_text=True)
    assert client.get("/personal/patrull/logg.csv").status_code == 200
    response = client.post("/personal/patrull/logg", data=log_form(client, [TOWN_CELL]))
    assert response.status_code == 403


def test_police_log_a_patrol_with_real_cells(client, login):
    login("police")
    assert (
        client.post("/personal/patrull/logg", data=log_form(client, [TOWN_CELL])).status_code == 303
    )


@pytest.mark.parametrize(
    "cell",
    [
        "abcdefghijklmno",  # 15 characters, not a cell
        "0a1f0000000ffff",  # hex, not a valid cell
        h3.latlng_to_cell(58.7005, 12.4535, 9),  # a cell of another resolution
        TOWN_CELL.upper(),
        TOWN_CELL + "f",
        "",
    ],
)
def test_a_stop_that_is_not_a_grid_cell_is_refused(app, cell):
    assert not is_patrol_cell(cell)
    with session_scope(app) as session, pytest.raises(PatrolLogError) as refused:
        record_patrol(
            session,
            carried_out_on=date.today().isoformat(),
            window="fre 20–02",
            cells=[cell],
            note=None,
            author="p",
            today=date.today(),
        )
    assert "hex cell" in refused.value.errors["cells"] or "tick" in refused.value.errors["cells"]


def test_a_grid_cell_is_accepted():
    assert is_patrol_cell(TOWN_CELL)
