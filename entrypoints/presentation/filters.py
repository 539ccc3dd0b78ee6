"""The presentation layer as Jinja filters: a template writes `{{ o.state | ja('settlement_state') }}`,
`{{ o.amount | yen }}`, `{{ s.due | when }}` and never a label or a format of its own."""

from jinja2 import Environment

from entrypoints.presentation import formats
from entrypoints.presentation.labels import label, titled

FILTERS = {
    "ja": titled,  # the label, its English key as the tooltip
    "jatext": label,  # the label alone (a page title, an attribute)
    "when": formats.tokyo_time,
    "day": formats.day,
    "yen": formats.yen,
    "pt": formats.points,
    "n": formats.count,
    "rate": formats.rate,
    "share": formats.share,
}


def install(env: Environment) -> None:
    # `value | ja(kind)`: Jinja passes the value first, the label tables take the kind first
    env.filters.update({name: _value_first(f) if name in ("ja", "jatext") else f for name, f in FILTERS.items()})


def _value_first(lookup):
    def filtered(value, kind: str):
        return lookup(kind, value)
    return filtered
