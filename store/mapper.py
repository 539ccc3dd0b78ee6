"""The mapper that reads every release's stored events (SPEC §7 Versions).

eventsourcing's Mapper resolves a stored topic to one class and runs that class's
`upcast_vX_vY` methods. An umbrella event of release 0.1 stands for one of several events,
named by a field of its state: `domain/versions.py` says which, and this mapper resolves it
before the class's own upcasting.
"""

from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent

from domain.versions import SPLITS, split


class UpcastingMapper(Mapper):
    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        if stored_event.topic not in SPLITS:
            return super().to_domain_event(stored_event)
        state = self.transcoder.decode(stored_event.state)
        cls = split(stored_event.topic, state)
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        state.pop("class_version", None)  # the old umbrella was version 1; its parts start at 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event
