"""`verify`'s findings as the audit page shows them: grouped by what was found (in the order first
found), each group in Japanese (words.VERIFY_FINDING), each finding naming its aggregate in Japanese
(words.AUDITED: "注文 100007"); the store's English detail is kept for the tooltip."""

from entrypoints.presentation import words


def grouped(findings: list[dict]) -> list[dict]:
    """[{"kind", "label", "findings": [{"named", "version", "detail"}]}], one group per kind."""
    groups: dict[str, dict] = {}
    for finding in findings:
        kind = finding["finding"]
        group = groups.setdefault(kind, {"kind": kind, "label": words.VERIFY_FINDING.get(kind, kind), "findings": []})
        group["findings"].append({"named": named(finding["aggregate"]), "version": finding["version"],
                                  "detail": finding["detail"]})
    return list(groups.values())


def named(aggregate: str) -> str:
    """"order 100007" -> "注文 100007"; an aggregate named by its id alone stays its id."""
    for kind in sorted(words.AUDITED, key=len, reverse=True):  # "parked message" before "message"
        if aggregate == kind:
            return words.AUDITED[kind]
        if aggregate.startswith(kind + " "):
            name = aggregate[len(kind) + 1:]
            if kind == "checkpoint" and name.isdigit():  # a checkpoint is named by its log position
                name = f"(イベント {int(name):,} 件まで)"
            return f"{words.AUDITED[kind]} {name}"
    return aggregate
