"""The Orders application: runs batches of commands (domain/unit_of_work.py) and stores their events.

Everything a batch caused — new events, one Receipt per message (accepted or rejected with its
code) and, when given, the consumed position — is written in one transaction.

Aggregates stay in an LRU cache between batches, handed out without copying and without asking
the store for newer events: this process is their one writer while it owns their partitions (a
change of ownership drops the whole cache: `forget_cached_aggregates`), and a batch that fails
(another writer was first, the database went away) evicts every aggregate it touched, so the
cache never holds a change the store refused. Repeated messages are found optimistically: the store refuses a second
Receipt for a message id, and only then is the batch run again, checking each message first.
"""

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from datetime import date, datetime

from eventsourcing.application import AggregateNotFoundError, Application, LRUCache, ProcessingEvent
from eventsourcing.persistence import (
    IntegrityError, JSONTranscoder, PersistenceError, ProcessRecorder, Tracking, Transcoding,
)

from domain.buyer import Buyer
from domain.keys import NaturalKeys
from domain.errors import DuplicateConflict, Rejected, UnknownOrder
from domain.ids import ORDER, UUID5, AggregateIds
from domain.order import Order
from domain.parking import Defect
from domain.receipt import Receipt, conflict_id, receipt_event
from domain.seller import DEFAULT_LEVEL, Seller, seller_id_to_uuid
from domain.unit_of_work import Command, Outcome, UnitOfWork, replay, replay_remembering, stamp


class DateAsISO(Transcoding):
    """Calendar dates in event state (promised ship dates, reship dates), stored as YYYY-MM-DD."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Orders(Application):
    """Orders, their claims and their sellers, event-sourced."""

    name = "orderclaims"

    def __init__(self, env: dict[str, str] | None = None):
        # Asked before every batch and read: erasures recorded since (by any process) are seen, and
        # the aggregate cache dropped (the composition root sets it to the buyer keys' revalidation).
        self.check_erasures: Callable[[], None] = lambda: None
        self.natural_keys = NaturalKeys()  # each stored event carries its aggregate's (domain/keys.py)
        self.replay = replay_remembering(self.natural_keys)
        # The cache is trusted (no copies, no fast-forward): see the module docstring.
        super().__init__({"AGGREGATE_CACHE_FASTFORWARD": "n", "DEEPCOPY_FROM_AGGREGATE_CACHE": "n", **(env or {})})
        # Orders' and carts' ids by the scheme the store records (domain/ids.py); a store that records
        # none (one in memory, of eventsourcing's own recorders) has uuid5 ids.
        self.ids = AggregateIds(scheme=lambda: getattr(self.recorder, "id_scheme", UUID5),
                                lookup=lambda kind, key: self.recorder.aggregate_id(kind, key))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_recorder(self) -> ProcessRecorder:
        # A process recorder also stores tracking positions, atomically with the events.
        return self.factory.process_recorder()

    def process(self, commands: Iterable[Command], trackings: Sequence[Tracking] = ()) -> list[Outcome]:
        """Apply a batch of commands in one transaction, with the consumed positions (`trackings`)
        they came from; return each message's outcome. A message that hits a defect is parked and
        the batch runs again without it; a transient fault (the store away) is raised."""
        commands = list(commands)
        defects: dict[int, str] = {}
        check_store_for_repeats = False
        while True:
            try:
                return self._process(commands, trackings, check_store_for_repeats, defects)
            except IntegrityError:  # a message stored before, or another writer first: check each message
                if check_store_for_repeats:
                    raise
                check_store_for_repeats = True
            except Defect as defect:
                defects[defect.index] = defect.error

    def _process(self, commands: list[Command], trackings: Sequence[Tracking], check_store_for_repeats: bool,
                 defects: dict[int, str]) -> list[Outcome]:
        self.check_erasures()
        uow = UnitOfWork(self, check_store_for_repeats)
        try:
            outcomes = []
            for index, command in enumerate(commands):
                first = uow.first_receipt(command.message_id) if command.message_id else None
                if first is not None:
                    outcomes.append(self._repeat(uow, command, first))
                    continue
                if index in defects:
                    uow.park(command, defects[index])
                    outcomes.append(Outcome(command.message_id, "parked", detail=defects[index]))
                    continue
                outcome = self._apply(uow, index, command)
                if command.origin and outcome.status == "accepted":
                    uow.stamp_origin(command.origin)
                if command.retry:
                    uow.settle_parked(command, outcome.status)
                outcomes.append(outcome)
                receipt = receipt_event(
                    message_id=command.message_id,
                    message_type=command.message_type,
                    order_no=command.order_no,
                    at=command.at,
                    outcome=outcome.status,
                    code=outcome.code,
                    detail=outcome.detail,
                    fingerprint=command.fingerprint,
                )
                if command.origin:
                    stamp(receipt, command.origin)
                uow.record(receipt)
            self.commit(uow, trackings)
        except BaseException:
            uow.forget()
            raise
        return outcomes

    @staticmethod
    def _repeat(uow: UnitOfWork, command: Command, first: Receipt.Processed) -> Outcome:
        """A message id seen before changes nothing: a duplicate, or — when its content differs from
        the first's — rejected `duplicate_conflict`, recorded once per distinct content (SPEC §4)."""
        known = getattr(first, "fingerprint", None)  # receipts of earlier releases kept none
        if known is None or command.fingerprint is None or known == command.fingerprint:
            return Outcome(command.message_id, "duplicate")
        conflict = DuplicateConflict(f"message_id {command.message_id!r} was first used for a {first.message_type} of "
                                     f"{first.at.isoformat()}; this message's content differs")
        outcome = Outcome(command.message_id, "rejected", conflict.code, conflict.detail)
        rid = conflict_id(command.message_id, command.fingerprint)
        if uow.recorded(rid) is None:
            uow.record(receipt_event(originator_id=rid, message_id=command.message_id, message_type=command.message_type,
                                     order_no=command.order_no, at=command.at, outcome="rejected",
                                     code=outcome.code, detail=outcome.detail, fingerprint=command.fingerprint))
        return outcome

    @staticmethod
    def _apply(uow: UnitOfWork, index: int, command: Command) -> Outcome:
        uow.begin_command()
        try:
            command.run(uow)
        except Rejected as rejected:
            if uow.command_changed_state():
                raise Defect(index, RuntimeError(f"{command.message_type} was rejected after it changed state"))
            return Outcome(command.message_id, "rejected", rejected.code, rejected.detail)
        except PersistenceError:
            raise  # the store away: transient, never parked
        except Exception as error:  # a defect: this message is parked, the rest goes on
            raise Defect(index, error, command.message) from error
        return Outcome(command.message_id, "accepted")

    def forget_cached_aggregates(self) -> None:
        """Drop every cached aggregate. The cache is trusted only while this process is the one writer
        of what it holds: once the partitions it owns change, another writer may have moved any of them,
        and a decision from a stale aggregate is wrong silently (a rejection writes no event, so no
        version check would catch it). An erasure drops it too: its aggregates hold buyer data as it
        was read (erasures are rare; the cache refills from the store, whose events are sealed)."""
        cache = self.repository.cache
        if cache is None:
            return
        with getattr(cache, "lock", None) or nullcontext():  # eventsourcing's LRUCache.clear() keeps its dict
            cache.cache.clear()
            if isinstance(cache, LRUCache):
                cache.clear()
                cache.full = False

    def commit(self, uow: UnitOfWork, trackings: Sequence[Tracking] = ()) -> None:
        processing = ProcessingEvent(tracking=trackings[0] if len(trackings) == 1 else None)
        if len(trackings) > 1:
            if not getattr(self.recorder, "records_several_trackings", False):
                raise TypeError(f"{type(self.recorder).__name__} records one tracking position per transaction")
            processing.saved_kwargs["trackings"] = list(trackings)
        keys: dict = {}
        for aggregate in uow.aggregates:
            events = aggregate.collect_events()
            if events:
                processing.events.extend(events)
                processing.aggregates[aggregate.id] = aggregate
                if events[0].originator_version == 1:
                    self.natural_keys.remember(events[0])
                key = self.natural_keys.get(aggregate.id)
                if key is not None:  # each event carries its aggregate's natural key (domain/keys.py)
                    keys[aggregate.id] = key
        processing.events.extend(uow.receipts.values())
        if uow.new_ids:  # the first events' natural keys, written with them (domain/ids.py)
            processing.saved_kwargs["aggregate_ids"] = list(uow.new_ids.items())
        if processing.events or trackings:
            prepare = getattr(self.mapper, "prepare", None)  # a mapper that reads keys may read them all at once
            if prepare is not None:  # and have the recorder store what it made for the batch (new keys) with it
                processing.saved_kwargs.update(
                    prepare(processing.events, store_with_events=getattr(self.recorder, "stores_mapper_rows", False)))
            self.mapper.event_keys = keys
            try:
                recordings = self._record(processing)
            except BaseException:
                forget = getattr(self.mapper, "forget_prepared", None)
                if forget is not None:
                    forget()
                raise
            finally:
                self.mapper.event_keys = {}
            self.ids.remember(uow.new_ids.items())
            self._notify(recordings)

    def exchange_points(self, *, seller_id: str, at: datetime, month: str, total: float, actor: str = "seller") -> int:
        """Exchange a month's service points for Q-cash (the total comes from the points ledger)."""
        uow = UnitOfWork(self)
        seller = uow.seller(seller_id) or uow.register_seller(seller_id=seller_id, level=DEFAULT_LEVEL, at=at, actor="marketplace")
        qcash = seller.exchange_points(actor=actor, at=at, month=month, total=total)
        self.commit(uow)
        return qcash

    def forget_buyer(self, buyer_id: str, *, by: str, at: datetime) -> None:
        """Record the erasure of a buyer's personal data (its keys are destroyed first, by the store)."""
        uow = UnitOfWork(self)
        buyer = uow.buyer(buyer_id)
        if buyer is None:
            uow.add(Buyer(buyer_id=buyer_id, by=by, at=at))
        else:
            buyer.erase_again(by=by, at=at)
        self.commit(uow)

    def settle_parked(self, message_id: str, outcome: str, *, at: datetime) -> None:
        """Settle a parked message without running it (its buyer's data was erased: `erased`)."""
        uow = UnitOfWork(self)
        parked = uow.parked(message_id)
        if parked is not None and parked.is_parked:
            parked.settle(outcome, at=at)
            self.commit(uow)

    def get_order(self, order_no: str, version: int | None = None) -> Order:
        self.check_erasures()
        try:
            oid = self.ids.find(ORDER, order_no)
            if oid is None:
                raise AggregateNotFoundError(order_no)
            return self.repository.get(oid, version=version, projector_func=replay)
        except AggregateNotFoundError:
            raise UnknownOrder(f"order {order_no!r} was never placed") from None

    def order_events(self, order_no: str) -> list:
        oid = self.ids.find(ORDER, order_no)
        events = list(self.events.get(oid)) if oid is not None else []
        if not events:
            raise UnknownOrder(f"order {order_no!r} was never placed")
        return events

    def get_seller(self, seller_id: str) -> Seller | None:
        try:
            return self.repository.get(seller_id_to_uuid(seller_id), projector_func=replay)
        except AggregateNotFoundError:
            return None
