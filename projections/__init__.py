"""Read models: the status-count dashboard, settlement eligibility, the service-point ledger."""
