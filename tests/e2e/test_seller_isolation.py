"""Every seller read is filtered by the key's seller at the query (SPEC §8, §10): two sellers who share
item numbers, each guessing the other's order, cart and item in every spelling of the id — the other
seller's data never shows, and the answer is the one for a thing that does not exist."""

import io
import json
from urllib.parse import quote, unquote

import openpyxl

import orjson
import pytest
from fastapi.testclient import TestClient

from entrypoints.bootstrap import Settings
from entrypoints.documents import Documents
from entrypoints.serve import create_app
from store.api_keys import ApiKeys
from tests.e2e.conftest import embedded, log_in, simulated_store

pytestmark = pytest.mark.security

A, B = "S001", "S002"
AS_OF = "2026-11-21T09:00:00%2B09:00"  # one moment for both answers compared (a list echoes its as-of)
SHARED, A_ONLY = "I00001", "IA-ONLY"
NOBODYS = {"order": "999999999", "cart": "C9999999", "item": "I99999"}


def inquiry(n: int, seller: str, item_no: str, phone: str) -> dict:
    return {"message_id": f"iso-{n}", "type": "inquiry.posted", "order_no": "", "actor": "buyer",
            "occurred_at": f"2026-11-0{1 + n % 8}T10:00:00+09:00",
            "data": {"inquiry_no": f"QISO{n}", "seller_id": seller, "item_no": item_no, "buyer_id": f"BISO{n}",
                     "title": "在庫", "text": f"{phone} までお電話ください"}}


INQUIRIES = [inquiry(1, A, SHARED, "090-1111-0001"), inquiry(2, B, SHARED, "090-2222-0002"),
             inquiry(3, A, SHARED, "090-1111-0003"), inquiry(4, A, A_ONLY, "090-1111-0004"),
             inquiry(5, B, SHARED, "090-2222-0005")]


@pytest.fixture(scope="module")
def two_sellers(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        embedded(patch)
        work = tmp_path_factory.mktemp("isolation")
        cli = simulated_store(work, orders=200, seed=8)
        cli("ingest", "-", stdin=b"\n".join(orjson.dumps(m) for m in INQUIRIES))
        keys = {s: json.loads(cli("keys", "create", "--seller", s, "--json").stdout)["key"] for s in (A, B)}
        keys["analyst"] = json.loads(cli("keys", "create", "--role", "analyst", "--json").stdout)["key"]
        documents = Documents(Settings(database_url=f"sqlite:///{work / 'orderclaims.db'}"))
        app = create_app(documents, ApiKeys(documents.engine))
        client = TestClient(app)
        browsers = {who: log_in(app, key) for who, key in keys.items()}
        a_claims = json.loads(cli("claims", "--seller", A, "--status", "cancel.completed", "--json").stdout)["orders"]
        order, cart = a_claims[0]["order_no"], a_claims[0]["cart_no"]
        yield {"cli": cli, "client": client, "browsers": browsers, "keys": keys, "order": order, "cart": cart, "theirs": (order, cart, A_ONLY)}


def xlsx_rows(content: bytes) -> str:
    if not content.startswith(b"PK"):
        return content.decode()
    return repr([[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()])


def get(world, who: str, path: str):
    """The API with the key, a page in the key's logged-in browser."""
    if path.startswith("/api/"):
        return world["client"].get(path, headers={"Authorization": f"Bearer {world['keys'][who]}"})
    return world["browsers"][who].get(path)


def spellings(thing: str) -> dict[str, str]:
    """The id as another seller might try it: as it is, cased, spaced, URL-encoded."""
    return {"exact": thing, "lower": thing.lower(), "upper": thing.upper(), "leading space": f" {thing}",
            "trailing space": f"{thing} ", "tab": f"{thing}\t", "encoded": "".join(f"%{b:02X}" for b in thing.encode())}


def in_path(spelled: str) -> str:
    return spelled if spelled.startswith("%") else quote(spelled, safe="")


# (route, the kind of thing it names, where the id goes); {id} is the spelled id
ROUTES = [
    ("history", "order", "/api/orders/{id}/history"),
    ("history, trailing slash", "order", "/api/orders/{id}/history/"),
    ("order page", "order", "/orders/{id}"),
    ("claims by order", "order", "/api/claims?order={id}&as_of=" + AS_OF),
    ("claims by order, xlsx", "order", "/api/claims.xlsx?order={id}&as_of=" + AS_OF),
    ("claims by cart", "cart", "/api/claims?cart={id}&as_of=" + AS_OF),
    ("item inquiries", "item", "/api/items/{id}/inquiries"),
    ("item inquiries, trailing slash", "item", "/api/items/{id}/inquiries/"),
]


def answer(world, who: str, template: str, spelled: str) -> tuple:
    """What the key is answered, with the id it named taken out (an answer may echo the name asked)."""
    response = get(world, who, template.format(id=in_path(spelled)))
    text = response.text if "xlsx" not in template else xlsx_rows(response.content)
    for name in sorted({spelled, unquote(spelled), *NOBODYS.values(), *world["theirs"]} - {""}, key=len, reverse=True):
        text = text.replace(json.dumps(name)[1:-1], "<id>").replace(repr(name)[1:-1], "<id>")
    return response.status_code, text


@pytest.mark.parametrize("spelling", list(spellings("X")))
@pytest.mark.parametrize("route, kind, template", ROUTES, ids=[r[0] for r in ROUTES])
def test_another_sellers_order_cart_or_item_is_answered_as_one_that_does_not_exist(two_sellers, route, kind,
                                                                                   template, spelling):
    theirs = {"order": two_sellers["order"], "cart": two_sellers["cart"], "item": A_ONLY}[kind]
    tried = spellings(theirs)[spelling]
    nobodys = spellings(NOBODYS[kind])[spelling]
    got = answer(two_sellers, B, template, tried)
    assert got == answer(two_sellers, B, template, nobodys)
    assert "090-1111" not in got[1]


def test_an_item_page_shows_only_its_own_sellers_inquiries_when_two_sellers_share_the_item_number(two_sellers):
    for seller, other in ((A, B), (B, A)):
        shown = get(two_sellers, seller, f"/api/items/{SHARED}/inquiries").json()["inquiries"]
        expected = sorted(m["data"]["inquiry_no"] for m in INQUIRIES
                          if m["data"]["seller_id"] == seller and m["data"]["item_no"] == SHARED)
        assert sorted(i["inquiry_no"] for i in shown) == expected
        theirs = [m["data"]["text"] for m in INQUIRIES if m["data"]["seller_id"] == other]
        assert not any(t in json.dumps(shown, ensure_ascii=False) for t in theirs)


def test_an_analyst_reads_one_sellers_item_page_at_a_time(two_sellers):
    page = get(two_sellers, "analyst", f"/api/items/{SHARED}/inquiries?seller={B}").json()
    assert page["seller_id"] == B and {i["inquiry_no"] for i in page["inquiries"]} == {"QISO2", "QISO5"}
    assert get(two_sellers, "analyst", f"/api/items/{SHARED}/inquiries").status_code == 404  # name a seller


def test_a_seller_key_naming_another_seller_for_an_item_page_is_answered_as_an_unknown_seller(two_sellers):
    asked = get(two_sellers, B, f"/api/items/{SHARED}/inquiries?seller={A}")
    unknown = get(two_sellers, B, f"/api/items/{SHARED}/inquiries?seller=NO-SUCH-SELLER")
    assert (asked.status_code, asked.json()) == (unknown.status_code, unknown.json()) and asked.status_code == 404


def test_the_command_lines_item_page_is_one_sellers_and_needs_the_seller(two_sellers):
    cli = two_sellers["cli"]
    page = json.loads(cli("inquiries", "--seller", B, "--item", SHARED, "--json").stdout)
    assert {i["inquiry_no"] for i in page["inquiries"]} == {"QISO2", "QISO5"}
    assert "090-1111" not in json.dumps(page, ensure_ascii=False)
    alone = cli("inquiries", "--item", SHARED, "--json", check=False)
    assert alone.returncode == 2 and b"--seller" in alone.stderr


@pytest.mark.parametrize("view", ["dashboard", "claims?status=cancel.completed", "settlement", "todo",
                                  "points?month=2026-10&items=true", "inquiries"])
def test_another_sellers_list_is_answered_as_an_unknown_sellers(two_sellers, view):
    joiner = "&" if "?" in view else "?"
    asked = get(two_sellers, B, f"/api/{view}{joiner}seller={A}")
    unknown = get(two_sellers, B, f"/api/{view}{joiner}seller=NO-SUCH-SELLER")
    assert (asked.status_code, asked.json()) == (unknown.status_code, unknown.json())
    assert asked.status_code == 404


ANSWERED = [r for r in ROUTES if "trailing slash" not in r[0]]  # a trailing slash is no route at all (decision 0012)


@pytest.mark.parametrize("route, kind, template", ANSWERED, ids=[r[0] for r in ANSWERED])
def test_the_same_routes_show_the_owner_its_own_thing(two_sellers, route, kind, template):
    """The matrix above compares real answers: the owner, asking the same way, is answered otherwise."""
    own = {"order": two_sellers["order"], "cart": two_sellers["cart"], "item": A_ONLY}[kind]
    assert answer(two_sellers, A, template, own) != answer(two_sellers, A, template, NOBODYS[kind])
