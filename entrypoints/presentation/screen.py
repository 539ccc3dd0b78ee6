"""The seeds' status-count screen (キャンセル/返品/未受取) row by row, as keys; the labels are the
claim table's (words.CLAIM_STATUS). The terminal's table and the web page both draw it."""

from domain.claims import CANCEL, EXCHANGE, NON_RECEIPT, RETURN, Status
from entrypoints.presentation import words

S = Status
D = words.DELAYED
SUB = "- "  # the seeds indent the rows under the return row's "returning" cell (on hold, collected)

# (claim type, is a sub-row, its four cells' keys: requested / under way / done / delayed)
ROWS = (
    (CANCEL, False, (S.REQUESTED, S.IN_PROGRESS, S.COMPLETED, D)),
    (RETURN, False, (S.REQUESTED, S.RETURNING, S.COMPLETED, D)),
    (RETURN, True, (None, S.ON_HOLD, None, None)),
    (RETURN, True, (None, S.COLLECTED, None, None)),
    (EXCHANGE, False, (S.REQUESTED, S.RESHIPPING, None, D)),
    (NON_RECEIPT, False, (S.REPORTED, S.SELLER_CONFIRMED, None, D)),
)


def layout() -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """(claim type, the row's label, [(cell label, key or None), ...]) for every row."""
    return [
        (claim_type, "" if sub else words.CLAIM_TYPE[claim_type],
         [((SUB if sub else "") + words.CLAIM_STATUS[(claim_type, key)], key) if key else ("", None) for key in keys])
        for claim_type, sub, keys in ROWS
    ]


DASHBOARD_LAYOUT = layout()
