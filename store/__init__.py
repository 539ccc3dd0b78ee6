"""The event store's adapters: recorders, the transcoder, the upcasting mapper, engines."""
