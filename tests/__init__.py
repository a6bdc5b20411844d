"""Let tests import the shared helpers in tests/support."""
