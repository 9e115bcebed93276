"""Live tests use the session's live target (tests/e2e/conftest.py), with its end-of-session sweep."""

from tests.e2e.conftest import live_target  # noqa: F401  (a fixture, shared rather than copied)
