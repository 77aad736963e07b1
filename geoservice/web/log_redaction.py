"""Receipt codes never reach a log: access lines and error lines show ``[kod]`` instead.

A receipt code is all anyone needs to open or erase a concern, and it travels in the
resident's own URLs (``/kvitto/<kod>``, ``/api/v1/reports/<kod>``, ``?kod=``), which web
servers write to their access logs and browsers send on as the referrer.
"""

from __future__ import annotations

import logging
import re

_IN_PATH = re.compile(r"(/kvitto/|/api/v1/reports/)[^/?#\s\"']+", re.IGNORECASE)
_IN_QUERY = re.compile(r"([?&]kod=)[^&#\s\"']*", re.IGNORECASE)
REDACTED = "[kod]"


def redact_receipts(text: str) -> str:
    """``text`` with every receipt code in a URL path or ``kod=`` query replaced."""
    return _IN_QUERY.sub(r"\1" + REDACTED, _IN_PATH.sub(r"\1" + REDACTED, text))


class ReceiptRedaction(logging.Filter):
    """A logging filter that redacts receipt codes from a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_receipts(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_receipts(a) if isinstance(a, str) else a for a in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                k: redact_receipts(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def install() -> None:
    """Redact on the loggers that write request lines: the app's, Werkzeug's, gunicorn's."""
    for name in ("geoservice", "werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ReceiptRedaction) for f in logger.filters):
            logger.addFilter(ReceiptRedaction())


try:  # gunicorn is only there in production installs
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - depends on the environment
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """gunicorn's logger with receipt codes redacted from every access-log atom."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: redact_receipts(v) if isinstance(v, str) else v for k, v in atoms.items()}
