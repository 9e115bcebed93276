"""The SMH control plane follows the pinned SDK's models: its actions, their parameters, and what was removed."""

from __future__ import annotations

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from emulator.services.smh import extension
from emulator.services.smh.sdk_models import model_schema, request_schema, sdk_actions
from emulator.services.smh.service import ACTIONS, NOT_EMULATED, REMOVED
from tests.emulator_process import EmulatorProcess
from tests.sdk_clients import smh


def code_of(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(TencentCloudSDKException) as info:
        call(*args)
    return info.value.code


def test_every_sdk_action_is_emulated_or_declared_not_emulated() -> None:
    assert sdk_actions() == set(ACTIONS) | NOT_EMULATED
    assert not REMOVED & sdk_actions()  # gone from the SDK, as its release notes say


def test_schemas_are_the_sdk_request_models() -> None:
    for name, action in ACTIONS.items():
        assert action.schema == request_schema(name)
    assert model_schema("LibraryExtension") == extension.FIELDS  # the extension rules cover every SDK field
    create = request_schema("CreateLibrary")
    assert create["Tags"] == [{"TagKey": "str", "TagValue": "str"}]
    assert {"EnableQuota", "LibraryQuota"} <= set(create["LibraryExtension"])
    assert {"Offset", "Limit", "TagFilters"} <= set(request_schema("DescribeLibraries"))


@pytest.mark.parametrize("action", sorted(REMOVED) + ["NoSuchAction"])
def test_removed_user_actions_answer_as_unknown_actions(emulator: EmulatorProcess, action: str) -> None:
    assert code_of(smh(emulator.url).call_json, action, {}) == "InvalidAction"


@pytest.mark.parametrize(("action", "params"), [
    ("CreateLibrary", {"Name": "x", "BucketNmae": "photos-1250000000"}),
    ("CreateLibrary", {"Name": "x", "LibraryExtension": {"IsPublicReed": True}}),
    ("CreateLibrary", {"Name": "x", "Tags": [{"TagKey": "k", "Value": "v"}]}),
    ("DescribeLibraries", {"PageLimit": 10}),
    ("DescribeLibraries", {"TagFilters": [{"TagKey": "k", "TagValues": ["v"]}]}),
    ("ModifyLibrary", {"LibraryId": "smh0", "AccessDomain": "x"}),  # an output, not a parameter
])
def test_a_field_the_api_does_not_define_is_refused(emulator: EmulatorProcess, action: str, params: dict) -> None:
    assert code_of(smh(emulator.url).call_json, action, params) == "UnknownParameter"
