"""Where a store's keys live (SPEC §7): never in the database, and by default not beside it either.

Each key comes from its environment variable first (`ORDERCLAIMS_MASTER_KEY`, `ORDERCLAIMS_SIGNING_KEY`,
`ORDERCLAIMS_CHAIN_KEY`: 32 bytes, URL-safe base64). Without one, an SQLite store's key is a file:
beside the database when an earlier release put it there (`orderclaims.db.key`, `.signing-key`), else
in the key directory, one folder per store named by the store's id (`ORDERCLAIMS_KEY_DIR`, default
`$XDG_DATA_HOME/orderclaims/keys`, i.e. `~/.local/share/orderclaims/keys`; folders 0700, files 0600).
Whoever copies the database file takes no key with it. A PostgreSQL store needs the variables.

The store's id is random, kept in the database (`store_settings`), and no secret: it only says which
folder is this store's. A key file is written whole or not at all, never over another (store/files.py);
one left empty or cut short is refused with an explanation.
"""

import base64
import os
import secrets
from pathlib import Path

from sqlalchemy import Column, LargeBinary, MetaData, String, Table, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError

from store.files import write_whole

KEY_DIR_ENV = "ORDERCLAIMS_KEY_DIR"
KEY_BYTES = 32

metadata = MetaData()
store_settings = Table(
    "store_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)


class KeyMissing(Exception):
    """A key the store needs is neither in its variable nor in a key file, and may not be made now."""


class KeyFileBroken(KeyMissing):
    """A key file is empty or not a key: left by a write that was cut short, or edited."""


def setting(engine: Engine, name: str) -> bytes | None:
    metadata.create_all(engine)
    with engine.connect() as conn:
        return conn.execute(select(store_settings.c.value).where(store_settings.c.name == name)).scalar()


def store_id(engine: Engine) -> str:
    """The store's id (made on first use): names its folder in the key directory."""
    found = setting(engine, "store_id")
    if found is None:
        try:
            with engine.begin() as conn:
                conn.execute(store_settings.insert().values(name="store_id", value=secrets.token_hex(16).encode()))
        except IntegrityError:  # another process made it first
            pass
        found = setting(engine, "store_id")
    return found.decode()


def key_dir() -> Path:
    configured = os.environ.get(KEY_DIR_ENV)
    if configured:
        return Path(configured)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "orderclaims" / "keys"


def decode(value: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyFileBroken(f"{where} is not a key (32 bytes, URL-safe base64)")
    return key


def new_key() -> str:
    """32 random bytes as the variables take them."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def find_key(database_url: str, engine: Engine | None, env: str, name: str, beside: str | None,
             create: bool) -> bytes:
    """The key from `env`, else (SQLite) the file beside the database an earlier release made (suffix
    `beside`), else the store's file `name` in the key directory — made when `create`."""
    value = os.environ.get(env)
    if value:
        return decode(value, env)
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise KeyMissing(f"set {env} (32 bytes, URL-safe base64): it is never kept in the database")
    if beside and Path(url.database + beside).exists():
        return read_key_file(Path(url.database + beside))
    from store.engines import make_engine  # engines import the recorders, which import this module

    folder = key_dir() / store_id(engine or make_engine(database_url))
    path = folder / name
    if not path.exists():
        if not create:
            raise KeyMissing(f"no {name.replace('.key', '')} key for this store: neither {env} nor {path} "
                             f"(a copied database has no keys: set {env} or {KEY_DIR_ENV})")
        key_dir().mkdir(mode=0o700, parents=True, exist_ok=True)  # the directory itself: its owner's only
        write_key_file(path, new_key())
    return read_key_file(path)


def read_key_file(path: Path) -> bytes:
    return decode(path.read_text(errors="replace"), f"the key file {path} (empty or cut short? restore it from "
                                                    "your backup; never delete it while the store has data)")


def write_key_file(path: Path, value: str) -> None:
    """Write a key file whole or not at all, readable by its owner only; another process that made it
    first wins (its key is never overwritten)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_whole(path, value.encode(), mode=0o600, replace=False)
