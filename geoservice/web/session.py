"""Flask's signed-cookie session, opened without key derivation when no cookie came."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class SessionWhenSent(SecureCookieSessionInterface):
    """Derive the signing key only for a request that carries a session cookie.

    Residents' submissions and the public API come without cookies, hundreds a second;
    Flask would build the signing serializer for each of them to read nothing. Everything
    else (signing, expiry, saving) is Flask's own.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = SessionWhenSent()
