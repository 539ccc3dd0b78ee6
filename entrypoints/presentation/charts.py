"""Charts drawn on the server as SVG (no script, no library, nothing from another site): bars (stacked) or
lines over the trends' weeks or months. Each chart is an image with a title for screen readers; the page
puts its data table beside it (the numbers to read and copy). Colours are presentation attributes (the
CSP allows no inline style)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 56
# One colour per series, told apart in grey too (lightness falls along the list).
COLOURS = ("#1f77b4", "#e07b00", "#2ca02c", "#c0392b", "#7f5fbf", "#555555")
MOST_LABELS = 8  # x labels shown at most (every n-th of many weeks)


@dataclass(frozen=True)
class Series:
    name: str  # its label in the legend
    values: Sequence[float | None]


def whole(value: float) -> str:
    """A tick of a count or of yen: 1,250."""
    return f"{value:,.0f}"


def bars(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], tick=whole) -> Markup:
    """Stacked bars, one per label; negative values stack below zero. Whole ticks: the scale's four steps are
    whole numbers."""
    low, high = _range([_stack_ends(series, i) for i in range(len(labels))], whole=True)
    scale = _Scale(low, high, len(labels))
    parts = _axes(scale, labels, tick)
    width = scale.step * 0.7
    for i in range(len(labels)):
        up = down = 0.0
        for n, s in enumerate(series):
            value = s.values[i] or 0
            base = up if value >= 0 else down
            top = base + value
            if value >= 0:
                up = top
            else:
                down = top
            y1, y2 = sorted((scale.y(base), scale.y(top)))
            if y2 - y1 > 0:
                parts.append(f'<rect x="{scale.x(i) - width / 2:.1f}" y="{y1:.1f}" width="{width:.1f}" '
                             f'height="{y2 - y1:.1f}" fill="{COLOURS[n % len(COLOURS)]}"/>')
    return _svg(chart_id, title, parts + _legend(series))


def lines(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], tick=whole) -> Markup:
    """One line per series with a dot per value; a missing value (no rate) breaks the line."""
    low, high = _range([(v, v) for s in series for v in s.values if v is not None])
    scale = _Scale(low, high, len(labels))
    parts = _axes(scale, labels, tick)
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        run: list[str] = []
        for i, value in enumerate([*s.values, None]):
            if value is None:
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>')
                run = []
                continue
            point = f"{scale.x(i):.1f},{scale.y(value):.1f}"
            run.append(point)
            parts.append(f'<circle cx="{scale.x(i):.1f}" cy="{scale.y(value):.1f}" r="3" fill="{colour}"/>')
    return _svg(chart_id, title, parts + _legend(series))


class _Scale:
    def __init__(self, low: float, high: float, count: int):
        self.low, self.high, self.count = low, high, max(count, 1)
        self.step = (WIDTH - LEFT - RIGHT) / self.count

    def x(self, i: int) -> float:
        return LEFT + self.step * (i + 0.5)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1
        return TOP + (HEIGHT - TOP - BOTTOM) * (self.high - value) / span


def _stack_ends(series: Sequence[Series], i: int) -> tuple[float, float]:
    values = [s.values[i] or 0 for s in series]
    return sum(v for v in values if v < 0), sum(v for v in values if v > 0)


def _range(ends: list[tuple[float, float]], whole: bool = False) -> tuple[float, float]:
    """From zero (or below) to a round number at or above the largest value (`whole`: a multiple of 4)."""
    low = min([0.0, *(lo for lo, _ in ends)])
    high = max([0.0, *(hi for _, hi in ends)])
    top = _round_up(high) if high > 0 else (1.0 if low == 0 else 0.0)
    bottom = -_round_up(-low) if low < 0 else 0.0
    if whole:
        top, bottom = 4 * math.ceil(top / 4), -4 * math.ceil(-bottom / 4)
    return bottom, top


def _round_up(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above the value (the top of the scale)."""
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= value)


def _axes(scale: _Scale, labels: Sequence[str], tick) -> list[str]:
    parts = []
    for k in range(5):
        value = scale.low + (scale.high - scale.low) * k / 4
        y = scale.y(value)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#cfd6df"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13">{escape(tick(value))}</text>')
    every = -(-len(labels) // MOST_LABELS) if labels else 1
    for i, text in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{scale.x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="13">'
                         f'{escape(text)}</text>')
    zero = scale.y(0)
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#555"/>')
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts, x = [], LEFT
    for n, s in enumerate(series):
        parts.append(f'<rect x="{x}" y="{HEIGHT - 22}" width="10" height="10" fill="{COLOURS[n % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT - 13}" font-size="13">{escape(s.name)}</text>')
        x += 24 + 12 * len(s.name)
    return parts


def _svg(chart_id: str, title: str, parts: list[str]) -> Markup:
    return Markup(
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>{"".join(parts)}</svg>')
