"""The PostgreSQL event-store recorder (store/recorders.py describes both): its own module, so that a
process on SQLite never imports psycopg (docs/decisions/0019)."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, OperationalError
from eventsourcing.postgres import PostgresProcessRecorder
from psycopg.sql import SQL, Identifier

from store.recorders import ChainWriter

HEADS_FETCHED = 5_000  # chain heads read at a time for a checkpoint


class PostgresOffsetsRecorder(ChainWriter, PostgresProcessRecorder):
    """Also inserts the events with one statement of four arrays, sent in binary:
    eventsourcing's array of composite values escapes every state as text with a regular
    expression, and fetches new notification ids nobody reads (one ingest worker: 48,389 messages
    in 8.5 s instead of 14.3 s).
    The table lock that keeps notification ids in commit order is taken as before."""

    records_several_trackings = True
    placeholder = "%s"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.insert_rows_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.event_hashes (originator_id uuid NOT NULL, "
            "originator_version bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (originator_id, originator_version))"
        ).format(schema=Identifier(self.datastore.schema)))
        self.sql_create_statements.append(SQL("ALTER TABLE {schema}.event_hashes ADD COLUMN IF NOT EXISTS tag bytea")
                                          .format(schema=Identifier(self.datastore.schema)))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.store_settings (name varchar(64) PRIMARY KEY, value bytea NOT NULL)"
        ).format(schema=Identifier(self.datastore.schema)))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.aggregate_ids (kind varchar(16) NOT NULL, natural_key text NOT NULL, "
            "originator_id uuid NOT NULL, PRIMARY KEY (kind, natural_key))").format(schema=Identifier(self.datastore.schema)))
        self._settings_table = f'"{self.datastore.schema}".store_settings'
        self._checkpoints_table = f'"{self.datastore.schema}".checkpoints'

    def create_table(self) -> None:
        """eventsourcing's create statements, only when a table, index, column, type or function of them
        is missing. Run on a store in use, they lock it even when all is there (CREATE INDEX IF NOT EXISTS
        takes the events' share lock, ALTER TABLE the links' exclusive one, in one transaction), and a
        writer holding the links and waiting for the events deadlocked with them: a checkpoint started
        during an ingest did."""
        if self._schema_complete():
            self.datastore.register_type_adapters()
            return
        super().create_table()

    def _schema_complete(self) -> bool:
        schema = self.datastore.schema
        relations = [f'"{schema}"."{name}"' for name in (
            self.events_table_name, self.tracking_table_name, self.notification_id_index_name,
            "event_hashes", "store_settings", "aggregate_ids")]
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT (SELECT COUNT(*) FROM unnest(%s::text[]) AS r(name) WHERE to_regclass(r.name) IS NULL) = 0 "
                "AND to_regtype(%s) IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "            WHERE n.nspname = %s AND p.proname = %s) "
                "AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = 'tag' "
                "            AND NOT attisdropped) AS complete",
                (relations, f'"{schema}"."{self.stored_event_type_name}"', schema,
                 self.pg_function_name_insert_events, f'"{schema}"."event_hashes"'))
            return bool(curs.fetchone()["complete"])

    def insert_events(self, stored_events: Any, **kwargs: Any) -> Any:
        """As eventsourcing's, with a refusal told apart from a fault: in pipeline mode a unique
        violation (of the events, the chain links or the positions) can surface as "pipeline aborted",
        an OperationalError, which the processes would retry for minutes as the database away. It is
        a conflict with another writer: IntegrityError, so the batch runs again checking the store."""
        try:
            return super().insert_events(stored_events, **kwargs)
        except OperationalError as error:
            if _refused(error):
                raise IntegrityError(str(error)) from error
            raise

    def _insert_events(self, curs: Any, stored_events: Any, **kwargs: Any) -> None:
        for tracking in kwargs.get("trackings", ()):
            self._insert_tracking(curs, tracking)  # refuses a position not past the stored one
        self._insert_buyer_keys(curs, kwargs.get("buyer_keys"))
        self._insert_aggregate_ids(curs, kwargs.get("aggregate_ids"))
        if self.chain_key is not None and not self._keyed_from_known:
            curs.execute(SQL("SELECT COALESCE(MAX(notification_id), 0) + 1 AS next FROM {schema}.{table}").format(
                schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)))
            self._mark_keyed(curs, curs.fetchone()["next"])  # no event before it is written by this code
        super()._insert_events(curs, stored_events, **kwargs)
        rows = self._chain_rows(curs, stored_events)
        curs.execute(
            SQL("INSERT INTO {schema}.event_hashes (originator_id, originator_version, hash, tag) "
                "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::bytea[], %b::bytea[])")
            .format(schema=Identifier(self.datastore.schema)),
            ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]),
        )

    def _insert_aggregate_ids(self, curs: Any, rows: Any) -> None:
        if rows:
            curs.execute(SQL("INSERT INTO {schema}.aggregate_ids (kind, natural_key, originator_id) "
                             "SELECT * FROM unnest(%s::text[], %s::text[], %s::uuid[])").format(
                schema=Identifier(self.datastore.schema)),
                ([kind for (kind, _), _ in rows], [key for (_, key), _ in rows], [oid for _, oid in rows]))

    def _recorded_id_scheme(self) -> str:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SELECT 1 FROM {schema}.{table} LIMIT 1").format(
                schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)))
            scheme = "uuid5" if curs.fetchone() is not None else "uuid7"
            curs.execute(SQL("INSERT INTO {schema}.store_settings (name, value) VALUES ('id_scheme', %s) "
                             "ON CONFLICT (name) DO NOTHING").format(schema=Identifier(self.datastore.schema)),
                         (scheme.encode(),))
            curs.execute(SQL("SELECT value FROM {schema}.store_settings WHERE name = 'id_scheme'").format(
                schema=Identifier(self.datastore.schema)))
            return bytes(curs.fetchone()["value"]).decode()

    def aggregate_id(self, kind: str, key: str) -> UUID | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT originator_id FROM {schema}.aggregate_ids WHERE kind = %s AND natural_key = %s")
                         .format(schema=Identifier(self.datastore.schema)), (kind, key))
            row = curs.fetchone()
        return row["originator_id"] if row is not None else None

    def _stored_links(self, curs: Any, keys: list[tuple[UUID, int]]) -> dict[tuple[UUID, int], bytes]:
        curs.execute(
            SQL("SELECT h.originator_id, h.originator_version, h.hash FROM {schema}.event_hashes h "
                "JOIN unnest(%b::uuid[], %b::bigint[]) AS w(id, v) ON h.originator_id = w.id "
                "AND h.originator_version = w.v").format(schema=Identifier(self.datastore.schema)),
            ([k[0] for k in keys], [k[1] for k in keys]),
        )
        return {(row["originator_id"], row["originator_version"]): bytes(row["hash"]) for row in curs.fetchall()}

    # ---- what verify and checkpoints read (store/audit.py) ----------------------------------------

    def chained_page(self, after: int, limit: int) -> list[tuple]:
        """(position, originator id, version, topic, state, stored link or None, key tag or None) past
        `after`, in log order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL(
                "SELECT n.notification_id, n.originator_id, n.originator_version, n.topic, n.state, h.hash, h.tag "
                "FROM {schema}.{table} n LEFT JOIN {schema}.event_hashes h ON h.originator_id = n.originator_id "
                "AND h.originator_version = n.originator_version WHERE n.notification_id > %s "
                "ORDER BY n.notification_id LIMIT %s").format(schema=Identifier(self.datastore.schema),
                                                               table=Identifier(self.events_table_name)),
                (after, limit))
            return [(r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]),
                     bytes(r["hash"]) if r["hash"] is not None else None,
                     bytes(r["tag"]) if r["tag"] is not None else None) for r in curs.fetchall()]

    def heads_between(self, after: int, upto: int, each: Callable[[UUID, int, bytes, str, bytes], None]) -> None:
        """(aggregate, version, link, first event's topic, its state) of each chain whose last link up to
        position `upto` lies past `after`, to `each`, streamed: what a checkpoint adds to the one before it."""
        with self.datastore.transaction(commit=False) as curs:
            with curs.connection.cursor(name="heads_between") as heads:  # server-side: HEADS_FETCHED at a time
                heads.itersize = HEADS_FETCHED
                heads.execute(SQL(
                    "SELECT DISTINCT ON (n.originator_id) n.originator_id, n.originator_version, h.hash, f.topic, "
                    "f.state FROM {schema}.{table} n JOIN {schema}.event_hashes h ON h.originator_id = n.originator_id "
                    "AND h.originator_version = n.originator_version LEFT JOIN {schema}.{table} f "
                    "ON f.originator_id = n.originator_id AND f.originator_version = 1 "
                    "WHERE n.notification_id > %s AND n.notification_id <= %s "
                    "ORDER BY n.originator_id, n.originator_version DESC").format(
                    schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)), (after, upto))
                for r in heads:
                    each(r["originator_id"], r["originator_version"], bytes(r["hash"]), r["topic"],
                         bytes(r["state"]) if r["state"] is not None else None)

    def orphan_links(self) -> list[tuple[UUID, int]]:
        """Chain links whose event is gone."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL(
                "SELECT h.originator_id, h.originator_version FROM {schema}.event_hashes h LEFT JOIN {schema}.{table} n "
                "ON n.originator_id = h.originator_id AND n.originator_version = h.originator_version "
                "WHERE n.originator_id IS NULL ORDER BY 1, 2").format(schema=Identifier(self.datastore.schema),
                                                                      table=Identifier(self.events_table_name)))
            return [(r["originator_id"], r["originator_version"]) for r in curs.fetchall()]

    def chain_heads(self, each: Callable[[UUID, int, bytes], None]) -> int:
        """Every chain's last link to `each`, by aggregate id, streamed (never all in memory), and the
        log's size, in one snapshot."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            curs.execute(SQL("SELECT MAX(notification_id) AS size FROM {schema}.{table}").format(
                schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)))
            size = curs.fetchone()["size"] or 0
            with curs.connection.cursor(name="chain_heads") as heads:  # server-side: HEADS_FETCHED at a time
                heads.itersize = HEADS_FETCHED
                heads.execute(SQL("SELECT DISTINCT ON (originator_id) originator_id, originator_version, hash "
                                  "FROM {schema}.event_hashes ORDER BY originator_id, originator_version DESC").format(
                    schema=Identifier(self.datastore.schema)))
                for r in heads:
                    each(r["originator_id"], r["originator_version"], bytes(r["hash"]))
            return size

    def _stored_events_of(self, curs: Any, oid: UUID, up_to: int) -> list[tuple[int, str, bytes]]:
        curs.execute(SQL("SELECT originator_version, topic, state FROM {schema}.{table} WHERE originator_id = %s "
                         "AND originator_version <= %s ORDER BY originator_version").format(
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name)), (oid, up_to))
        return [(r["originator_version"], r["topic"], bytes(r["state"])) for r in curs.fetchall()]

    def _insert_stored_events(self, curs: Any, stored_events: Any, **_: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_rows_statement,
            (
                [s.originator_id for s in stored_events],
                [s.originator_version for s in stored_events],
                [s.topic for s in stored_events],
                [s.state for s in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(self, curs: Any, stored_events: Any, **_: Any) -> None:
        return None


def _refused(error: BaseException) -> bool:
    """Whether the database refused the statements (a constraint, or a pipeline aborted by an earlier
    statement's error) rather than went away: only a connection-level fault is transient."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (psycopg.IntegrityError, psycopg.errors.PipelineAborted)):
            return True
        cause = cause.__cause__ or cause.__context__
    return False
