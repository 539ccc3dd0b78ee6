"""Fixtures every level of the suite shares."""

import pytest

from domain.order import Order


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
