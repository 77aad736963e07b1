"""Settings: defaults, then GEOSERVICE_* variables, then the test config; bad values named."""

from __future__ import annotations

import pytest

from geoservice import create_app
from geoservice.config import read_environment
from geoservice.store.db import engine_for


def test_environment_values_are_parsed_by_their_declared_type():
    values = read_environment(
        {
            "GEOSERVICE_RATELIMIT_ENABLED": "false",
            "GEOSERVICE_K_ANONYMITY": "7",
            "GEOSERVICE_PATROL_START": "58.71, 12.46",
            "UNRELATED": "x",
        }
    )
    assert values == {"RATELIMIT_ENABLED": False, "K_ANONYMITY": 7, "PATROL_START": (58.71, 12.46)}


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("GEOSERVICE_RATELIMIT_ENABLED", "maybe"),
        ("GEOSERVICE_K_ANONYMITY", "0"),
        ("GEOSERVICE_MAX_CONTENT_LENGTH", "lots"),
        ("GEOSERVICE_PATROL_START", "58.7"),
        ("GEOSERVICE_PATROL_START", "95,12"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name, raw):
    with pytest.raises(ValueError, match=name):
        read_environment({name: raw})


def test_test_config_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSERVICE_K_ANONYMITY", "9")
    from_env = create_app({"INSTANCE_PATH": str(tmp_path / "a"), "SECRET_KEY": "x"})
    overridden = create_app(
        {"INSTANCE_PATH": str(tmp_path / "b"), "SECRET_KEY": "x", "K_ANONYMITY": 3}
    )
    assert from_env.config["K_ANONYMITY"] == 9 and overridden.config["K_ANONYMITY"] == 3
    for app in (from_env, overridden):
        engine_for(app).dispose()


def test_proxy_count_out_of_range_is_refused(tmp_path):
    with pytest.raises(ValueError, match="PROXY_COUNT"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "PROXY_COUNT": 9})
