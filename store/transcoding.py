"""How event state becomes bytes in the store: eventsourcing's JSON format, written and read with orjson.

The stored bytes are what eventsourcing's own JSONTranscoder writes and reads (custom types as
{"_type_": name, "_data_": value}), so either can read the other's events; orjson is several
times faster than the standard json module on both sides.
"""

from datetime import datetime
from typing import Any

import orjson
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class OrjsonTranscoder(JSONTranscoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=self._default, option=OPTIONS)

    def _default(self, obj: Any) -> Any:
        if type(obj) is datetime:  # two in every event: its timestamp and when it happened
            return {"_type_": DatetimeAsISO.name, "_data_": obj.isoformat()}
        return self._encode_obj(obj)

    def decode(self, data: bytes) -> Any:
        document = orjson.loads(data)
        return self._revive(document) if b'"_type_"' in data else document

    def _revive(self, value: Any) -> Any:
        """Custom types back from {"_type_", "_data_"}, in place: only containers are walked."""
        if type(value) is dict:
            for k, v in value.items():
                if type(v) is dict or type(v) is list:
                    value[k] = self._revive(v)
            return self._decode_obj(value) if len(value) == 2 and "_type_" in value else value
        for i, v in enumerate(value):
            if type(v) is dict or type(v) is list:
                value[i] = self._revive(v)
        return value
