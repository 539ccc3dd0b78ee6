"""The trends page's charts and their tables, from the trends document (projections/trends_queries.py):
each chart an SVG (entrypoints/presentation/charts.py) with the same numbers as a table beside it."""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from entrypoints.presentation import formats, words
from entrypoints.presentation.charts import Series, bars, lines
from entrypoints.presentation.labels import label


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: Markup
    columns: list[str]  # the table's headers after the period's
    rows: list[tuple[str, list[str]]]  # (the period, its cells)


def bucket_label(bucket: dict, period: str, short: bool = False) -> str:
    """A week as `11/02〜` (its table: `2026/11/02〜11/08`), a month as `2026/11`; one not over yet says so."""
    start, end = date.fromisoformat(bucket["start"]), date.fromisoformat(bucket["end"])
    if period == "month":
        said = start.strftime("%Y/%m")
    elif short:
        said = start.strftime("%m/%d") + "〜"
    else:
        said = f"{start:%Y/%m/%d}〜{end:%m/%d}"
    return said if short or bucket.get("complete", True) else f"{said}({words.TREND['so_far']})"


def charts(document: dict) -> list[Chart]:
    buckets, period, types = document["buckets"], document["period"], document["claim_types"]
    short = [bucket_label(b, period, short=True) for b in buckets]
    rows = [bucket_label(b, period) for b in buckets]
    type_names = [label("claim_type", t) for t in types]
    every = words.TREND["all"]

    def table(cells_of) -> list[tuple[str, list[str]]]:
        return [(r, cells_of(b)) for r, b in zip(rows, buckets)]

    def per_type(figure: str) -> list[Series]:
        return [Series(n, [b["claims"][t][figure] for b in buckets]) for t, n in zip(types, type_names)]

    together = len(types) > 1
    rate = [*([Series(every, [b["all"]["per_100_delivered"] for b in buckets])] if together else []),
            *per_type("per_100_delivered")]
    share = [Series(s.name, [None if v is None else v * 100 for v in s.values]) for s in
             [*([Series(every, [b["all"]["delayed_share"] for b in buckets])] if together else []),
              *per_type("delayed_share")]]
    refunds = [*per_type("refund_yen"),
               *([Series(words.TREND["partial_refund_yen"], [b["partial_refund_yen"] for b in buckets])] if together else [])]
    shown = [*types, "all"] if together else types
    t = words.TREND
    return [
        Chart("claims", t["filed"], bars("claims-chart", t["filed"], short, per_type("filed")),
              [*type_names, *([every] if together else [])],
              table(lambda b: [formats.count(_figure(b, x, "filed")) for x in shown])),
        Chart("rate", t["per_100_delivered"], lines("rate-chart", t["per_100_delivered"], short, rate, tick=formats.rate),
              [t["orders_delivered"], *(s.name for s in rate)],
              table(lambda b: [formats.count(b["orders_delivered"]),
                               *(formats.rate(_figure(b, x, "per_100_delivered")) for x in (["all"] if together else []) + types)])),
        Chart("delayed", t["delayed_share"], lines("delayed-chart", t["delayed_share"], short, share, tick=_percent_tick),
              [s.name for s in share],
              table(lambda b: [_share(b, x) for x in (["all"] if together else []) + types])),
        Chart("refunds", t["refund_yen"], bars("refunds-chart", t["refund_yen"], short, refunds, tick=_yen_tick),
              [s.name for s in refunds],
              table(lambda b: [formats.yen(b["claims"][x]["refund_yen"]) for x in types]
                    + ([formats.yen(b["partial_refund_yen"])] if together else []))),
        Chart("breaches", t["refusal_breaches"],
              bars("breaches-chart", t["refusal_breaches"], short, [Series(t["refusal_breaches"], [b["refusal_breaches"] for b in buckets])]),
              [t["refusal_breaches"]], table(lambda b: [formats.count(b["refusal_breaches"])])),
        Chart("points", t["points"],
              bars("points-chart", t["points"], short, [Series(t["points"], [b["points"] for b in buckets])]),
              [t["points"]], table(lambda b: [formats.points(b["points"])])),
    ]


def _of(bucket: dict, claim_type: str) -> dict:
    """The figures of one claim type, or of `all` together."""
    return bucket["all"] if claim_type == "all" else bucket["claims"][claim_type]


def _figure(bucket: dict, claim_type: str, figure: str):
    return _of(bucket, claim_type)[figure]


def _share(bucket: dict, claim_type: str) -> str:
    figures = _of(bucket, claim_type)
    if figures["delayed_share"] is None:
        return "—"
    return f"{figures['delayed_share'] * 100:.1f}%({figures['delayed']:,}/{figures['filed']:,}件)"


def _percent_tick(value: float) -> str:
    return f"{value:.0f}%"


def _yen_tick(value: float) -> str:
    if abs(value) < 10_000:
        return f"{value:,.0f}円"
    return f"{value / 10_000:,.1f}".rstrip("0").rstrip(".") + "万円"
