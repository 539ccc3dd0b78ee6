"""Inbound side: the upstream message contracts, their mapping to commands, and the ingest loops."""
