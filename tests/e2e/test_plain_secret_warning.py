"""A secret key given as plain stack config is not refused, but every preview warns and prints the command that
fixes it (docs/real-cloud.md). The page's own commands are played word for word by
tests/docs/test_manual_commands.py."""

from __future__ import annotations

import pytest

from emulator.accounts import DEFAULT_SECRET_KEY

pytestmark = pytest.mark.emulator_only


def test_plain_secret_key_gets_a_preview_warning(emulator, make_stack) -> None:  # type: ignore[no-untyped-def]
    from pulumi import automation as auto

    from tests.e2e.conftest import base_config

    stack = make_stack({**base_config(emulator), "tencentcloud:secretKey": auto.ConfigValue(DEFAULT_SECRET_KEY)})
    out = stack.preview(on_output=lambda _: None)
    text = out.stdout + out.stderr
    assert "tencentcloud:secretKey is plain text in the config of stack" in text, text
    assert f"bin/pulumi config set --secret tencentcloud:secretKey <value> --stack {stack.name}" in text, text
    assert DEFAULT_SECRET_KEY not in text
    stack.set_config("tencentcloud:secretKey", auto.ConfigValue(DEFAULT_SECRET_KEY, secret=True))
    out = stack.preview(on_output=lambda _: None)
    assert "plain text" not in out.stdout + out.stderr
