"""How times, dates, yen and points read on the pages and in the spreadsheets (SPEC §8 Presentation)."""

from datetime import date, datetime, timezone

import pytest

from domain.calendar import TOKYO
from entrypoints.presentation import formats
from entrypoints.presentation.filters import install
from jinja2 import Environment

CASES = [
    (formats.tokyo_time, "2026-11-15T10:53:12+09:00", "2026/11/15 10:53"),
    (formats.tokyo_time, "2026-11-15T01:53:12+00:00", "2026/11/15 10:53"),  # UTC shown in Tokyo time
    (formats.tokyo_time, datetime(2026, 11, 14, 15, 30, tzinfo=timezone.utc), "2026/11/15 00:30"),  # the next Tokyo day
    (formats.tokyo_time, "2026-11-15T10:53", "2026/11/15 10:53"),  # a bare time is Tokyo's
    (formats.tokyo_time, "2026-11-15", "2026/11/15"),
    (formats.tokyo_time, None, ""),
    (formats.day, "2026-11-15", "2026/11/15"),
    (formats.day, date(2026, 1, 5), "2026/01/05"),
    (formats.day, "2026-11-14T20:00:00+00:00", "2026/11/15"),
    (formats.day, None, ""),
    (formats.yen, 12800, "12,800円"),
    (formats.yen, 0, "0円"),
    (formats.yen, -1500, "-1,500円"),
    (formats.yen, 10**12, "1,000,000,000,000円"),
    (formats.yen, None, ""),
    (formats.points, 1936.9, "1,936.9"),
    (formats.points, -3, "-3.0"),
    (formats.points, 0.1 + 0.2, "0.3"),
    (formats.points, None, ""),
    (formats.count, 12352, "12,352"),
]


@pytest.mark.parametrize("format_, value, shown", CASES, ids=[f"{f.__name__}({v!r})" for f, v, _ in CASES])
def test_each_value_reads_as_a_japanese_seller_expects(format_, value, shown):
    assert format_(value) == shown


def test_a_spreadsheet_date_is_the_tokyo_wall_clock_time():
    assert formats.tokyo_datetime("2026-11-15T01:53:12+00:00") == datetime(2026, 11, 15, 10, 53, 12)
    assert formats.tokyo_datetime(None) is None


def test_the_filters_give_the_label_with_its_key_as_the_tooltip_and_escape_what_a_person_wrote():
    env = Environment(autoescape=True)
    install(env)
    render = lambda source, **values: env.from_string(source).render(**values)  # noqa: E731
    assert render("{{ s | ja('claim_status') }}", s="return.on_hold") == '<span title="return.on_hold">返品保留</span>'
    assert render("{{ s | jatext('settlement_state') }}", s="blocked") == "精算保留"
    assert render("{{ r | ja('reason') }}", r="<b>届かない</b>") == "&lt;b&gt;届かない&lt;/b&gt;"
    assert render("{{ t | when }} · {{ a | yen }} · {{ p | pt }}", t=datetime(2026, 11, 15, 10, 53, tzinfo=TOKYO),
                  a=12800, p=1936.94) == "2026/11/15 10:53 · 12,800円 · 1,936.9"
