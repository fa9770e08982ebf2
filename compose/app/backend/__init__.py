"""The reference stack's backend: a WebSocket agent platform (see compose/README.md)."""
