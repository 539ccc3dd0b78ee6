"""The Order's rules, one rules-only mixin per section of SPEC §2–3: public commands that check and
raise, then trigger an event method of `domain.order.Order` (which alone assigns state)."""
