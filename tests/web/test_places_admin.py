"""Named places: the CLI and the admin page replace or extend the shipped set; names follow."""

from __future__ import annotations

import io

import pytest

from geoservice.store.db import session_scope
from geoservice.store.places.gazetteer import current_gazetteer, stored_place_count
from tests.conftest import csrf_token_from

CSV = "name,kind,lat,lon\nNya busstorget,square,58.7012,12.4620\n"


def test_cli_imports_extends_replaces_and_resets(app, runner, tmp_path):
    path = tmp_path / "platser.csv"
    path.write_text(CSV, encoding="utf-8")
    with session_scope(app) as session:
        shipped = len(current_gazetteer(session))

    dry = runner.invoke(args=["places", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "Dry run" in dry.output
    with session_scope(app) as session:
        assert stored_place_count(session) == 0

    extend = runner.invoke(args=["places", "import", str(path)])
    assert extend.exit_code == 0, extend.output
    with session_scope(app) as session:
        gazetteer = current_gazetteer(session)
        assert len(gazetteer) == shipped + 1
        assert "Nya busstorget" in set(gazetteer.places["name"])
        assert "Åsensbruk" in set(gazetteer.places["name"])

    replace = runner.invoke(args=["places", "import", str(path), "--replace"])
    assert replace.exit_code == 0, replace.output
    with session_scope(app) as session:
        assert list(current_gazetteer(session).places["name"]) == ["Nya busstorget"]

    listing = runner.invoke(args=["places", "list"])
    assert "Nya busstorget – square" in listing.output

    reset = runner.invoke(args=["places", "reset"])
    assert reset.exit_code == 0
    with session_scope(app) as session:
        assert len(current_gazetteer(session)) == shipped


def test_cli_refuses_a_bad_file_and_keeps_the_places(app, runner, tmp_path):
    path = tmp_path / "platser.csv"
    path.write_text("name,kind,lat,lon\nA,pub,58.7,12.4\n", encoding="utf-8")
    result = runner.invoke(args=["places", "import", str(path), "--replace"])
    assert result.exit_code != 0
    assert "unknown 'kind' in row(s) 1" in result.output
    with session_scope(app) as session:
        assert stored_place_count(session) == 0
    missing = runner.invoke(args=["places", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "no such file" in missing.output


def upload(client, text: str, name: str = "platser.csv", mode: str = "extend"):
    return client.post(
        "/personal/admin/platser",
        data={
            "csrf_token": csrf_token_from(client, "/personal/admin/platser"),
            "mode": mode,
            "file": (io.BytesIO(text.encode()), name),
        },
        content_type="multipart/form-data",
    )


def test_admin_page_imports_a_file_and_the_names_change(app, client, login):
    login("admin")
    page = client.get("/personal/admin/platser")
    assert page.status_code == 200
    assert "Resecentrum" in page.get_data(as_text=True).split('id="places-table"')[1]
    response = upload(client, CSV, mode="replace")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nya busstorget" in page and 'id="saved"' in page
    table = page.split('id="places-table"')[1].split("</table>")[0]
    assert "Resecentrum" not in table


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("name,kind,lat,lon\nA,pub,58.7,12.4\n", "p.csv", "okänt slag (kind) på rad 1"),
        ("x", "p.txt", "Filen ska vara GeoJSON, CSV eller GeoPackage"),
        ("name\nA\n", "p.csv", "en CSV behöver kolumnerna lat och lon"),
    ],
)
def test_admin_page_names_the_problem_in_swedish_and_changes_nothing(
    app, client, login, text, name, message
):
    login("admin")
    response = upload(client, text, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    with session_scope(app) as session:
        assert stored_place_count(session) == 0


@pytest.mark.parametrize("role", ["police", "municipality", "bra"])
def test_only_admins_manage_places(client, login, role):
    login(role)
    assert client.get("/personal/admin/platser").status_code == 403
