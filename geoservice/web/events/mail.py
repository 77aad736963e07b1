"""Sending the weekly lägesbild by e-mail, when an SMTP server is configured (GEOSERVICE_SMTP_*)."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

_ADDRESS = re.compile(r"[^@\s,;<>\"']{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")


class MailNotConfigured(RuntimeError):
    """No SMTP server, sender or recipients are configured; the message says which."""


def recipients(config: Mapping) -> list[str]:
    """The configured recipients of the lägesbild, checked; raises ValueError naming a bad one."""
    raw = str(config.get("LAGESBILD_RECIPIENTS") or "")
    addresses = [a.strip() for a in raw.split(",") if a.strip()]
    for address in addresses:
        if not _ADDRESS.fullmatch(address):
            raise ValueError(
                f"GEOSERVICE_LAGESBILD_RECIPIENTS: {address[:80]!r} is no e-mail address"
            )
    return addresses


def mail_configured(config: Mapping) -> bool:
    """True when the server, the sender and at least one recipient are set."""
    try:
        return bool(config.get("SMTP_HOST") and config.get("SMTP_FROM") and recipients(config))
    except ValueError:
        return False


def send_pdf(config: Mapping, *, subject: str, body: str, pdf: bytes, filename: str) -> list[str]:
    """Send ``pdf`` attached to every configured recipient; return who it went to.

    Raises
    ------
    MailNotConfigured
        When server, sender or recipients are missing.
    smtplib.SMTPException, OSError
        When the server refuses or cannot be reached (nothing is retried).
    """
    if not config.get("SMTP_HOST"):
        raise MailNotConfigured("GEOSERVICE_SMTP_HOST is not set")
    if not config.get("SMTP_FROM"):
        raise MailNotConfigured("GEOSERVICE_SMTP_FROM is not set")
    to = recipients(config)
    if not to:
        raise MailNotConfigured("GEOSERVICE_LAGESBILD_RECIPIENTS is empty")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["SMTP_FROM"]
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=str(config["SMTP_FROM"]).rpartition("@")[2] or None)
    message.set_content(body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=20) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        smtp.send_message(message)
    return to
