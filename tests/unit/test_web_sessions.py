"""The web sessions' lifetimes and the login throttle's waits (docs/decisions/0012), on a clock the
test moves."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select

from entrypoints.throttle import FIRST_WAIT_S, LIMIT, LONGEST_WAIT_S, WINDOW_S, LoginThrottle
from store.api_keys import ApiKeys, web_sessions
from store.sessions import IDLE, LIFETIME, Sessions

pytestmark = pytest.mark.security


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def opened(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    keys = ApiKeys(engine)
    clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))
    sessions = Sessions(engine, clock)
    key_id, _ = keys.create("seller", "S001")
    return keys, sessions, clock, key_id, sessions.open(key_id)


def test_a_session_stores_only_the_hash_of_its_id(opened):
    keys, sessions, _, key_id, session_id = opened
    with keys.engine.connect() as conn:
        stored = conn.execute(select(web_sessions)).one()
    assert stored.key_id == key_id and session_id.encode() not in stored.session_hash
    assert sessions.resolve(session_id).seller_id == "S001"


def test_a_session_ends_after_two_idle_hours(opened):
    _, sessions, clock, _, session_id = opened
    clock.now += IDLE - timedelta(minutes=1)
    assert sessions.resolve(session_id) is not None  # and it was seen now
    clock.now += IDLE - timedelta(minutes=1)
    assert sessions.resolve(session_id) is not None
    clock.now += IDLE
    assert sessions.resolve(session_id) is None


def test_a_session_ends_twelve_hours_after_the_login_however_busy(opened):
    _, sessions, clock, _, session_id = opened
    while clock.now + timedelta(hours=1) < datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc) + LIFETIME:
        clock.now += timedelta(hours=1)
        assert sessions.resolve(session_id) is not None
    clock.now += timedelta(hours=1)
    assert sessions.resolve(session_id) is None


def test_a_revoked_key_and_a_logout_end_a_session(opened):
    keys, sessions, _, key_id, session_id = opened
    other = sessions.open(key_id)
    sessions.close(other)
    assert sessions.resolve(other) is None and sessions.resolve(session_id) is not None
    keys.revoke(key_id)
    assert sessions.resolve(session_id) is None
    with keys.engine.connect() as conn:
        assert conn.execute(select(web_sessions)).all() == []


def test_the_wait_after_the_tenth_wrong_key_doubles_up_to_its_cap_and_a_right_key_clears_it():
    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(LIMIT - 1):
        throttle.failed("a")
    assert throttle.wait("a") == 0
    waits = []
    for _ in range(8):
        throttle.failed("a")
        waits.append(throttle.wait("a"))
    assert waits[:3] == [FIRST_WAIT_S, 2 * FIRST_WAIT_S, 4 * FIRST_WAIT_S] and waits[-1] == LONGEST_WAIT_S
    assert throttle.wait("b") == 0  # per address
    now[0] += LONGEST_WAIT_S
    assert throttle.wait("a") == 0
    throttle.succeeded("a")
    throttle.failed("a")
    assert throttle.wait("a") == 0


def test_wrong_keys_older_than_the_window_are_forgotten():
    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(LIMIT - 1):
        throttle.failed("a")
    now[0] += WINDOW_S + 1
    throttle.failed("a")
    assert throttle.wait("a") == 0
