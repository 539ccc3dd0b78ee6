"""The marketplace's policy values, in one place, with SPEC's defaults."""

from dataclasses import dataclass, field
from datetime import timedelta

LEVELS = ("power", "excellent", "general")  # a seller's level sets its settlement cycle
DEFAULT_LEVEL = "general"


@dataclass(frozen=True)
class Band:
    """A speed band: at most `max_days` Tokyo calendar days (None: any longer) earns `points`."""

    name: str
    max_days: int | None
    points: float


@dataclass(frozen=True)
class Policy:
    """Delay threshold, settlement cycles and payday, service-point tables."""

    claim_delay: timedelta = timedelta(days=4)
    settlement_cycle_days: dict[str, int] = field(
        default_factory=lambda: {"power": 5, "excellent": 10, "general": 15}
    )
    payout_weekday: int = 2  # Monday = 0: Wednesday
    start_bands: tuple[Band, ...] = (
        Band("quick", 1, 1.0),
        Band("good", 2, 0.5),
        Band("normal", 3, 0.1),
        Band("late", None, 0.0),
    )
    delivery_bands: dict[str, tuple[Band, ...]] = field(
        default_factory=lambda: {
            "general": (
                Band("best", 1, 2.0),
                Band("good", 2, 1.0),
                Band("not_bad", 3, 0.0),
                Band("slow", 5, -1.0),
                Band("very_slow", None, -2.0),
            ),
            "reservation": (
                Band("best", 1, 0.0),
                Band("good", 2, 0.0),
                Band("not_bad", 3, 0.0),
                Band("slow", 5, -2.0),
                Band("very_slow", None, -3.0),
            ),
        }
    )
    auto_completed_points: dict[str, float] = field(
        default_factory=lambda: {"general": -2.0, "reservation": -2.0}
    )
    claim_points: dict[str, float] = field(
        default_factory=lambda: {"cancel": -3.0, "return": -3.0, "non_receipt": -2.0}
    )
    feedback_points: dict[str, float] = field(
        default_factory=lambda: {"great": 1.0, "good": 0.0, "bad": -1.0}
    )
    exchange_unit: int = 100

    def cycle_days(self, level: str) -> int:
        return self.settlement_cycle_days[level]


DEFAULT_POLICY = Policy()


def band_for(bands: tuple[Band, ...], days: int) -> Band:
    """The first band whose limit the days fit in."""
    for band in bands:
        if band.max_days is None or days <= band.max_days:
            return band
    return bands[-1]
