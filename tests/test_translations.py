"""The English catalogue covers every Swedish UI string, and the compiled .mo matches it.

If a test here fails after you added or changed a Swedish string, run `make translations`,
fill the empty msgstr in geoservice/translations/en/LC_MESSAGES/messages.po and compile again.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LC_MESSAGES = ROOT / "geoservice" / "translations" / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "messages.po"
MO_PATH = LC_MESSAGES / "messages.mo"

# printf-style named placeholders such as %(k)s, %(area)s or %(n)d.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

# Words from SPEC §10 and strings the public pages are tested for.
REQUIRED = {
    "Skicka synpunkt": "Send concern",
    "Det här är inte en brottsanmälan.": "This is not a crime report.",
    "Markera plats": "Mark a place",
    "Karta": "Map",
    "Min synpunkt": "My concern",
}

# Phone numbers and addresses that must reach the reader unchanged.
KEEP_AS_IS = ("112", "114 14", "polisen.se")


def _key_of(message_id) -> str:
    """A readable key for a message id (plural messages have a tuple id)."""
    return message_id if isinstance(message_id, str) else message_id[0]


def _key(message) -> str:
    return _key_of(message.id)


def _strings(message) -> tuple[str, ...]:
    value = message.string
    if isinstance(value, str):
        return (value,)
    return tuple(value or ())


def _ids(message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _translated(catalog: Catalog) -> dict:
    """id -> string for every real, non-fuzzy entry (what `pybabel compile` writes)."""
    # Plural entries: the .mo reader gives lists where the .po reader gives tuples.
    return {
        _ids(message) if not isinstance(message.id, str) else message.id: _strings(message)
        for message in catalog
        if message.id and not message.fuzzy and any(_strings(message))
    }


@pytest.fixture(scope="module")
def po_catalog() -> Catalog:
    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale="en")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """Extract the Swedish msgids from the source tree right now, like `make translations`."""
    pot = tmp_path_factory.mktemp("babel") / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-o",
            str(pot),
            "--no-location",
            "--sort-output",
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with pot.open("rb") as handle:
        return read_po(handle)


def test_extraction_finds_strings(extracted):
    assert "Skicka synpunkt" in {message.id for message in extracted}


def test_every_extracted_string_has_an_english_translation(extracted, po_catalog):
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = po_catalog.get(message.id)
        strings = _strings(entry) if entry is not None else ()
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(_key(message))
    assert not missing, (
        "Swedish strings without an English translation in "
        f"{PO_PATH.relative_to(ROOT)} (run `make translations` and fill them in):\n  "
        + "\n  ".join(missing)
    )


def test_no_fuzzy_or_empty_entries(po_catalog):
    bad = [
        _key(message)
        for message in po_catalog
        if message.id and (message.fuzzy or not all(s.strip() for s in _strings(message)))
    ]
    assert not bad, "fuzzy or empty entries in messages.po:\n  " + "\n  ".join(bad)


def test_compiled_mo_matches_po(po_catalog):
    with MO_PATH.open("rb") as handle:
        mo_catalog = read_mo(handle)
    po, mo = _translated(po_catalog), _translated(mo_catalog)
    stale = sorted(_key_of(key) for key in po.keys() | mo.keys() if po.get(key) != mo.get(key))
    assert not stale, (
        "messages.mo is out of date with messages.po "
        "(run `pybabel compile -d geoservice/translations`):\n  " + "\n  ".join(stale)
    )


def test_placeholders_are_kept(po_catalog):
    wrong = []
    for message in po_catalog:
        if not message.id:
            continue
        expected = set().union(*(PLACEHOLDER.findall(text) for text in _ids(message)))
        for text in _strings(message):
            found = set(PLACEHOLDER.findall(text))
            if text and found != expected:
                wrong.append(f"{_key(message)!r}: {sorted(expected)} != {sorted(found)}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(wrong)


def test_numbers_and_addresses_are_kept(po_catalog):
    wrong = [
        f"{_key(message)!r}: {token}"
        for message in po_catalog
        if message.id
        for token in KEEP_AS_IS
        if any(token in text for text in _ids(message))
        and not all(token in text for text in _strings(message))
    ]
    assert not wrong, "numbers or addresses changed in translation:\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize(("swedish", "english"), sorted(REQUIRED.items()))
def test_required_terminology(po_catalog, swedish, english):
    entry = po_catalog.get(swedish)
    assert entry is not None, f"{swedish!r} is missing from messages.po"
    assert entry.string == english
