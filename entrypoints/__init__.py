"""Entry points: the command line, the HTTP API and web dashboard — thin: parse, call, render."""
