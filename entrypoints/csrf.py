"""Requests another site makes a browser send are refused (docs/decisions/0012), on every route of
the app, in this one dependency:

- every unsafe method (POST, PUT, PATCH, DELETE), API or page: an `Origin` header must be this
  site's own (entrypoints/site.py); without one, `Sec-Fetch-Site` must be `same-origin` or `none`.
  A request with neither is not a browser's (or a very old one's) and passes to the next checks;
- every unsafe method on a page (not /api) also carries a token in its form (`csrf`) or in an
  `X-CSRF-Token` header: the HMAC of the session id keyed by itself (bound to the session, useless
  after it, never the id), or before the login the double-submit token of the login cookie.

A refusal is 403 `csrf_refused` (JSON for the API, the error page for pages)."""

import hashlib
import hmac
import secrets

from fastapi import Request

from entrypoints.authentication import session_id
from entrypoints.site import Site

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SAME_SITE_FETCHES = ("same-origin", "none")
FIELD, HEADER = "csrf", "x-csrf-token"
LOGIN_COOKIE = "orderclaims_login"
SECURE_LOGIN_COOKIE = "__Host-orderclaims_login"


class CsrfRefused(Exception):
    """A state-changing request from another site, or without this session's token."""


def login_cookie(site: Site) -> str:
    return SECURE_LOGIN_COOKIE if site.secure else LOGIN_COOKIE


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def session_token(opened: str) -> str:
    return hmac.new(opened.encode(), b"orderclaims csrf", hashlib.sha256).hexdigest()


def form_token(request: Request) -> str:
    """The token a page's forms carry: its session's, or before a login the login cookie's."""
    opened = session_id(request)
    if opened:
        return session_token(opened)
    return getattr(request.state, "login_token", None) or request.cookies.get(login_cookie(request.app.state.site), "")


async def refuse_cross_site(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    site: Site = request.app.state.site
    origin = request.headers.get("origin")
    fetch = request.headers.get("sec-fetch-site")
    if origin is not None and origin not in site.origins:
        raise CsrfRefused("this request came from another site")
    if origin is None and fetch is not None and fetch not in SAME_SITE_FETCHES:
        raise CsrfRefused("this request came from another site")
    if request.url.path.startswith("/api/") or request.url.path == "/api":
        return
    sent = request.headers.get(HEADER) or await _form_field(request)
    if request.url.path == "/login":
        expected = request.cookies.get(login_cookie(site), "")
    else:
        expected = session_token(session_id(request)) if session_id(request) else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("this form has expired or came from elsewhere: reload the page and try again")


async def _form_field(request: Request) -> str:
    if not request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded",
                                                                 "multipart/form-data")):
        return ""
    value = (await request.form()).get(FIELD, "")
    return value if isinstance(value, str) else ""
