"""Who a request is (docs/decisions/0012): the API knows only `Authorization: Bearer KEY`, the pages
only their session cookie — never the one for the other. What a principal may do is decided in
entrypoints/access.py."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from entrypoints.access import Principal, Role, Unauthenticated
from entrypoints.site import Site
from store.api_keys import StoredKey

SESSION_COOKIE = "orderclaims_session"
SECURE_SESSION_COOKIE = "__Host-orderclaims_session"  # over https: Secure, Path=/, no Domain, by its name


def session_cookie(site: Site) -> str:
    return SECURE_SESSION_COOKIE if site.secure else SESSION_COOKIE


def session_id(request: Request) -> str:
    """The session id of the request's cookie ("" without one)."""
    return request.cookies.get(session_cookie(request.app.state.site), "")


# Declares the scheme in OpenAPI (the /docs page's Authorize button sends the key); the header is read below.
BEARER = HTTPBearer(auto_error=False, scheme_name="key",
                    description="An API key of `orderclaims keys create`: `Authorization: Bearer KEY`")


def bearer_principal(request: Request, _declared=Depends(BEARER)) -> Principal:
    """The API's caller: its bearer key, never a cookie."""
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header[:7].lower() == "bearer " else ""
    return _principal(request.app.state.keys.resolve(key) if key else None, "an API key is needed: "
                      "Authorization: Bearer KEY")


def session_principal(request: Request) -> Principal:
    """A page's visitor: the key of its live session, never a bearer key."""
    opened = session_id(request)
    return _principal(request.app.state.sessions.resolve(opened) if opened else None, "log in first")


def _principal(stored: StoredKey | None, refusal: str) -> Principal:
    if stored is None:
        raise Unauthenticated(refusal)
    return Principal(Role(stored.role), stored.seller_id, stored.key_id)


Who = Annotated[Principal, Depends(bearer_principal)]
Visitor = Annotated[Principal, Depends(session_principal)]
