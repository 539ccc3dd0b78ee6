"""The `orderclaims` command line: parse, call, render (SPEC §8).

A command's module is imported only when that command runs (docs/decisions/0019): `--help` imports
click alone, and a query imports what the query needs, never the web server, Kafka or the ingest.
The table below names each command's module and its one-line help, which `--help` lists without
importing anything (tests/unit/test_cli_startup.py holds each line equal to the command's own).
"""

import importlib

import click

# name -> (module, attribute, the first line of its help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "analyst-role": ("entrypoints.cli_export", "analyst_role_group",
                     "PostgreSQL: read-only analyst roles over views of the read models (schema `analyst`)."),
    "checkpoint": ("entrypoints.cli_audit", "checkpoint_command",
                   "Sign the log's size, the Merkle root of every chain's head and of the log, now."),
    "claims": ("entrypoints.cli_read", "claims_command",
               "The orders behind one count, or a lookup by order or cart number."),
    "contract": ("entrypoints.cli_contract", "contract_command",
                 "The upstream messages' contract: AsyncAPI 3 with a JSON Schema per message type."),
    "dashboard": ("entrypoints.cli_read", "dashboard_command", "The status counts of every claim type (SPEC §6.1)."),
    "evidence": ("entrypoints.cli_audit", "evidence_command",
                 "One order's events as stored, its chain and the proof of its head in a signed checkpoint, "
                 "for `python tools/verify_evidence.py FILE` to check offline."),
    "exchange-points": ("entrypoints.cli_read", "exchange_points_command",
                        "Exchange last month's service points for Q-cash, once, in 100-point units."),
    "export": ("entrypoints.cli_export", "export_command",
               "Read-model tables as Parquet or CSV, without buyer personal data, now or as of a moment."),
    "forget-buyer": ("entrypoints.cli_orders", "forget_buyer_command",
                     "Erase a buyer's personal data: destroy its keys and record the erasure (SPEC §7)."),
    "history": ("entrypoints.cli_orders", "history_command",
                "Every event of an order, with time, actor and data (personal data masked unless --unmask)."),
    "ingest": ("entrypoints.cli_orders", "ingest_command",
               "Process upstream messages from a JSONL FILE (or - for stdin), in order."),
    "inquiries": ("entrypoints.cli_read", "inquiries_command",
                  "Inquiries on items' pages (SPEC §10): the seller's view, or the page of one of its items "
                  "(an item number is its seller's own: --item needs --seller)."),
    "keys": ("entrypoints.cli_keys", "keys_group", "API keys of `serve`: stored hashed, shown once."),
    "parked": ("entrypoints.cli_parked", "parked_command",
               "Messages and stored events parked by a defect, with their error; retry them after a fix."),
    "points": ("entrypoints.cli_read", "points_command", "The month's service points (SPEC §6.3)."),
    "publish": ("entrypoints.cli_run", "publish_command",
                "Publish upstream messages from a JSONL FILE (or - for stdin) to the upstream topic."),
    "rebuild": ("entrypoints.cli_read", "rebuild_command",
                "Rebuild projections from the first event, with a progress bar; swapped in whole when done."),
    "run": ("entrypoints.cli_run", "run_group", "The long-running Kafka processes of the distributed mode."),
    "serve": ("entrypoints.serve", "serve_command",
              "The HTTP API and the web dashboard (SPEC §8); ORDERCLAIMS_PUBLIC_ORIGIN, ORDERCLAIMS_API_DOCS=on|off."),
    "settlement": ("entrypoints.cli_read", "settlement_command",
                   "Settlement eligibility of every order of the seller (SPEC §6.2)."),
    "simulate": ("entrypoints.cli_orders", "simulate_command",
                 "Write a realistic, deterministic upstream stream as JSONL."),
    "summary": ("entrypoints.cli_summary", "summary_command",
                "Every seller's dashboard counts side by side and summed, refusal breaches, yen held back."),
    "todo": ("entrypoints.cli_todo", "todo_command",
             "The next step of every open claim, with its due time; the yen held back; late shipments."),
    "trends": ("entrypoints.cli_trends", "trends_command",
               "Claims filed, claims per 100 orders delivered, delayed share, refund yen, refusal breaches and "
               "points per week or month."),
    "verify": ("entrypoints.cli_audit", "verify_command",
               "Recompute every hash chain and checkpoint; exit 1 when anything was altered, removed or inserted."),
}


class _Commands(click.Group):
    """Commands loaded by name when they run; listed from the table when asked for help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        command = getattr(importlib.import_module(module), attribute)
        self.commands[name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as error:  # a missing or broken key, a full disk: explained, never a traceback
            from store.files import unwritable
            from store.keyring import KeyMissing

            if isinstance(error, KeyMissing):
                raise click.ClickException(str(error)) from None
            said = unwritable(error)
            if said is None:
                raise
            raise click.ClickException(f"{said}; nothing partial was kept — free space (or make it writable) "
                                       "and run it again") from None


@click.group(cls=_Commands)
def main() -> None:
    """orderclaims — event-sourced after-sales claims of a marketplace."""


if __name__ == "__main__":
    main()
