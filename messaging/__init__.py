"""What inbound and outbound Kafka processes share: topics and clients, the wire format of events, the process loop, progress."""
