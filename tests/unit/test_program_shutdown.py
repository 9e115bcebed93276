"""The program's side of an engine shutdown: cancelled registrations are the quiet shutdown, not a traceback."""

from __future__ import annotations

import grpc
import pulumi
import pulumi.runtime.settings as engine_settings
import pytest

from smh_provider import program


class _RpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def test_a_cancelled_registration_is_the_quiet_shutdown_and_other_errors_keep_their_text() -> None:
    program.quiet_engine_shutdown()
    with pytest.raises(pulumi.RunError, match="Resource monitor has terminated"):
        engine_settings.handle_grpc_error(_RpcError(grpc.StatusCode.CANCELLED, "context canceled"))
    with pytest.raises(Exception, match="bad request") as raised:
        engine_settings.handle_grpc_error(_RpcError(grpc.StatusCode.INVALID_ARGUMENT, "bad request"))
    assert not isinstance(raised.value, pulumi.RunError)
