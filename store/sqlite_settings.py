"""Settings every SQLite connection to a store shares, the event store's and the read models' alike
(store/recorders.py, store/engines.py); in a module of their own so that the read models' engine is
made without importing the event store (docs/decisions/0019)."""

WAL_AUTOCHECKPOINT_PAGES = 20_000  # 80 MB of WAL between checkpoints, on every connection to an SQLite store
BUSY_TIMEOUT_S = 30  # how long an SQLite connection waits for another's lock (eventsourcing's default: 5)
