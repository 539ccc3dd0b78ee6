"""The mapper that reads every release's stored events (SPEC §7 Versions) and seals personal data.

eventsourcing's Mapper resolves a stored topic to one class and runs that class's
`upcast_vX_vY` methods. An umbrella event of release 0.1 stands for one of several events,
named by a field of its state: `domain/versions.py` says which, and this mapper resolves it
before the class's own upcasting. With a `Sealer` (store/sealing.py), the buyer data of each
event is sealed on the way in and unsealed (masked, unless revealed) on the way out.
"""

from typing import Any

from eventsourcing.persistence import Mapper, MapperDeserialisationError, PersistenceError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from domain.keys import KEY_FIELD
from domain.versions import SPLITS, split
from store.sealing import Sealer


class UpcastingMapper(Mapper):
    sealer: Sealer | None = None
    # The natural key of each aggregate whose events are being stored (set by the application for a
    # batch): written into each event's state as KEY_FIELD, the relay's key (domain/keys.py).
    event_keys: dict = {}

    def prepare(self, domain_events: list, store_with_events: bool = False) -> dict:
        """Before a batch is mapped: let the sealer read the keys it will need at once. Returns what
        the event store is to write with the batch's events (`store_with_events`): the new buyer keys."""
        if self.sealer is None:
            return {}
        made = self.sealer.prepare(domain_events, store_with_events)
        return {"buyer_keys": made} if made else {}

    def forget_prepared(self) -> None:
        """The batch was not stored."""
        if self.sealer is not None:
            self.sealer.forget_prepared()

    def prepare_read(self, stored_events: list[StoredEvent]) -> None:
        """Before a batch is read back: let the sealer unwrap the keys it will need at once."""
        if self.sealer is not None:
            self.sealer.prepare_read([e.state for e in stored_events])

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        key = self.event_keys.get(domain_event.originator_id)
        if self.sealer is None and key is None:
            return super().to_stored_event(domain_event)
        topic = get_topic(type(domain_event))
        state = dict(vars(domain_event))
        originator_id, originator_version = state.pop("originator_id"), state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        if self.sealer is not None:
            self.sealer.seal(topic, originator_id, state)
        if key is not None:
            state[KEY_FIELD] = key
        return StoredEvent(originator_id=originator_id, originator_version=originator_version, topic=topic,
                           state=self.transcoder.encode(state))

    def to_domain_event(self, stored_event: StoredEvent, unseal: bool = True) -> Any:
        """The domain event; `unseal=False`: its personal data left sealed, for a reader that never
        looks at it (most projections), which saves the decryption."""
        try:
            state = self.transcoder.decode(stored_event.state)
            if self.sealer is not None and unseal:
                self.sealer.unseal(stored_event.topic, stored_event.originator_id, state)
        except PersistenceError:
            raise  # the key store away: transient
        except Exception as error:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic '{stored_event.topic}', originator_id "
                f"'{stored_event.originator_id}' and originator_version {stored_event.originator_version}: {error}"
            ) from error
        state.pop(KEY_FIELD, None)  # the relay's, not the event's
        if stored_event.topic in SPLITS:
            cls = split(stored_event.topic, state)
            state.pop("class_version", None)  # the old umbrella was version 1; its parts start at 1
        else:
            cls = resolve_topic(stored_event.topic)
            version = state.pop("class_version", 1)
            while version < getattr(cls, "class_version", 1):
                getattr(cls, f"upcast_v{version}_v{version + 1}")(state)
                version += 1
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event
