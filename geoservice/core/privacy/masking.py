"""Mask personal data in free text before it leaves the service (SPEC §7).

Residents are asked not to write names or numbers, but some will. Every export and report
of free text passes through :func:`mask_personal_data`, which hides e-mail addresses (also
written ``anna(at)example.se`` or ``anna [at] example [dot] se``), Swedish personal identity
numbers (personnummer, also samordningsnummer, with any dash or spaces around it) and
phone numbers in the forms people write them: ``070-123 45 67``, ``(070) 123 45 67``,
``+46 (0)70 123 45 67``, ``070.123.45.67``, ``070/1234567``, with en or em dashes,
no-break or thin spaces. It errs on the side of hiding: a run of digits that could be a
phone number is masked.
"""

from __future__ import annotations

import re

# Anything people put between digit groups: spaces of every width, dots, slashes and every
# kind of dash (hyphen, non-breaking hyphen, figure, en and em dash, minus sign).
_SEP = r"[\s\u00a0\u2007\u2009\u202f.\-\u2010\u2011\u2012\u2013\u2014\u2212/]"
_DASH = r"[-+\u2010\u2011\u2012\u2013\u2014\u2212]"
_AT = r"(?:\s*@\s*|\uff20|\s*[(\[{]\s*(?:at|snabel-?a)\s*[)\]}]\s*|\s+(?:at|snabel-?a)\s+)"
_DOT = r"(?:\.|\s*[(\[{]\s*(?:dot|punkt)\s*[)\]}]\s*|\s+(?:dot|punkt)\s+)"

EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
# YYYYMMDD-XXXX or YYMMDD-XXXX; '-', '+', any dash or nothing between, spaces around it;
# samordningsnummer add 60 to the day.
PERSONNUMMER = re.compile(
    rf"(?<![\d\w])(?:19|20)?\d{{2}}[01]\d[0-9]\d"
    rf"[ \u00a0]{{0,2}}{_DASH}?[ \u00a0]{{0,2}}\d{{4}}(?![\d\w])"
)
# A Swedish number: a leading 0, (0xx), +46 or 0046 (with an optional "(0)"), then six
# to twelve more digits with separators between them.
_PREFIX = rf"(?:(?:\+|00){_SEP}?46{_SEP}?(?:\(0\){_SEP}?)?|0)"
PHONE = re.compile(
    rf"(?<![\w+])(?:{_PREFIX}(?:\d{_SEP}{{0,3}}){{5,11}}"
    # "(0530) 123 45": the area code in brackets carries digits of its own.
    rf"|\(0\d{{1,3}}\){_SEP}{{0,2}}(?:\d{_SEP}{{0,3}}){{4,10}})\d(?![\w])"
)

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
