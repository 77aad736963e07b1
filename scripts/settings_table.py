"""Print the README's configuration table from the declared settings (geoservice/config.py).

Run ``.venv/bin/python scripts/settings_table.py`` and paste the output over the table;
``tests/test_docs.py`` fails while a setting is missing from the README.
"""

from geoservice.config import ENV_PREFIX, SETTINGS


def shown(default) -> str:
    if default is None:
        return "see description"
    if default == "":
        return "(empty)"
    if isinstance(default, tuple):
        default = ",".join(str(part) for part in default)
    if isinstance(default, str) and default.startswith("&copy;"):
        return "OpenStreetMap attribution"
    return "`" + str(default).replace("|", "\\|") + "`"


if __name__ == "__main__":
    for setting in SETTINGS:
        print(
            f"| `{ENV_PREFIX}{setting.name}` | {shown(setting.default)} | {setting.description} |"
        )
