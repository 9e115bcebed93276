"""The packaging test drives the real engine with the end-to-end fixtures."""

from tests.e2e.conftest import engine_env  # noqa: F401  (a fixture, shared rather than copied)
