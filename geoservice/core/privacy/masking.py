"""Mask personal data in free text before it leaves the service (SPEC §7).

Residents are asked not to write names or numbers, but some will. Every export and report
of free text passes through :func:`mask_personal_data`, which hides e-mail addresses,
Swedish personal identity numbers (personnummer, also samordningsnummer) and phone numbers.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# YYYYMMDD-XXXX, YYMMDD-XXXX, with '-', '+' or nothing between; samordningsnummer add 60 days.
PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{2}[01]\d[0-9]\d[-+ ]?\d{4}(?!\d)")
# Swedish numbers: 07x-xxx xx xx, 010-565 24 40, +46 70 123 45 67, 0046..., with spaces/dashes.
PHONE = re.compile(r"(?<![\w])(?:\+46|0046|0)[\s-]?(?:\d[\s-]?){6,11}\d(?![\w])")

MASKS = (
    (EMAIL, "[e-post dold]"),
    (PERSONNUMMER, "[personnummer dolt]"),
    (PHONE, "[telefonnummer dolt]"),
)


def mask_personal_data(text: str | None) -> str | None:
    """Return ``text`` with e-mail addresses, personal identity and phone numbers masked.

    Parameters
    ----------
    text : str or None
        Free text written by a resident.

    Returns
    -------
    str or None
        The same text with each match replaced by a bracketed Swedish placeholder; None
        stays None.
    """
    if text is None:
        return None
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text
