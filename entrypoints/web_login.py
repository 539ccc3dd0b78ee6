"""Logging in and out of the web dashboard (docs/decisions/0012). The login form carries a
double-submit token (its own cookie); a right key opens a session whose id — never the key — is
the HttpOnly, SameSite=Strict cookie; wrong keys are slowed per address (entrypoints/throttle.py).
Logging out is a POST (the header's button): the session ends on the server, the cookie in the
browser."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from entrypoints.access import Role
from entrypoints.authentication import Visitor, session_cookie, session_id
from entrypoints.csrf import login_cookie, new_login_token
from entrypoints.web import LANDING, page

login_pages = APIRouter(include_in_schema=False)


@login_pages.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    """The form, with a fresh double-submit token (the login cookie, and the form's hidden field)."""
    request.state.login_token = new_login_token()
    response = page(request, None, "login.html")
    _set_cookie(request, response, login_cookie(request.app.state.site), request.state.login_token)
    return response


@login_pages.post("/login")
def login(request: Request, key: Annotated[str, Form(max_length=200)]):
    client = request.client.host if request.client else "unknown"
    throttle = request.app.state.login_throttle
    wait = throttle.wait(client)
    if wait:
        response = page(request, None, "login.html", refused=f"Too many wrong keys: try again in {wait} s.")
        response.status_code, response.headers["Retry-After"] = 429, str(wait)
        return response
    stored = request.app.state.keys.resolve(key.strip())
    if stored is None:
        throttle.failed(client)
        response = page(request, None, "login.html", refused="This key is unknown or revoked.")
        response.status_code = 401
        return response
    throttle.succeeded(client)
    response = RedirectResponse(LANDING[Role(stored.role)], status_code=303)
    _set_cookie(request, response, session_cookie(request.app.state.site), request.app.state.sessions.open(stored.key_id))
    _drop_cookie(request, response, login_cookie(request.app.state.site))
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    site = request.app.state.site
    response.set_cookie(name, value, httponly=True, samesite="strict", path="/",
                        secure=site.secure or request.url.scheme == "https")


def _drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, samesite="strict", path="/",
                           secure=request.app.state.site.secure or request.url.scheme == "https")


@login_pages.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request, who: Visitor):
    """Logging out is a POST (the header's button); a GET only shows that button."""
    return page(request, who, "logout.html")


@login_pages.post("/logout")
def logout(request: Request):
    """The session ends on the server (its cookie is worthless from now on) and in the browser."""
    if session_id(request):
        request.app.state.sessions.close(session_id(request))
    response = RedirectResponse("/login", status_code=303)
    _drop_cookie(request, response, session_cookie(request.app.state.site))
    return response
