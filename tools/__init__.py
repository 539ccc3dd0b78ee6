"""Developer-only helpers, not installed: the local Kafka and PostgreSQL launcher."""
