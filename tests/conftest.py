"""Fixtures every level of the suite shares."""

import os

import pytest

from domain.order import Order


@pytest.fixture(scope="session", autouse=True)
def key_dir(tmp_path_factory):
    """The stores' key files of the whole run in a temporary key directory, never the user's own."""
    folder = tmp_path_factory.mktemp("keys")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORDERCLAIMS_KEY_DIR", str(folder))
        yield folder


@pytest.fixture
def defective_feedback(monkeypatch):
    """A defect: a bad rating makes the command raise, as a bug would."""
    original = Order.give_feedback

    def give_feedback(self, *, actor, at, rating):
        if rating == "bad":
            raise ZeroDivisionError("a bug in the feedback rule")
        original(self, actor=actor, at=at, rating=rating)

    monkeypatch.setattr(Order, "give_feedback", give_feedback)
    return monkeypatch
