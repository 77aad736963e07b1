"""Locate the files shipped beside the code, in a source checkout or an installed wheel.

In a checkout, ``templates/`` and ``data/boundaries/`` sit at the top of the repository
(the layout the design card fixes); the wheel carries them inside the package.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(relative: str) -> Path:
    inside = _PACKAGE_DIR / relative
    if inside.exists():
        return inside
    return _PACKAGE_DIR.parent / relative


def templates_dir() -> Path:
    """Return the folder holding the Jinja templates."""
    return _shipped("templates")


def boundaries_dir() -> Path:
    """Return the folder holding the shipped boundary files."""
    return _shipped("data/boundaries")


def places_dir() -> Path:
    """Return the folder holding the shipped gazetteer (named places)."""
    return _shipped("data/places")
