"""The provider sends SMH only fields the pinned SDK's request models define; a misspelt one fails loudly."""

from __future__ import annotations

import pytest
from tencentcloud.smh.v20210712 import models

from smh_provider.clients import smh
from smh_provider.errors import ProviderError

pytestmark = pytest.mark.filterwarnings("ignore:.*fileds are useless")  # the SDK warns before we refuse


def test_every_setting_is_a_library_extension_field() -> None:
    fields = set(vars(models.LibraryExtension()))
    assert {"_" + wire for wire in smh.SETTINGS.values()} <= fields
    assert "_EnableQuota" in fields  # create_library adds it with a quota


@pytest.mark.parametrize(("model", "params", "bad"), [
    (models.CreateLibraryRequest, {"Name": "x", "BucketNmae": "b-1250000000"}, "BucketNmae"),
    (models.CreateLibraryRequest, {"Name": "x", "LibraryExtension": {"IsPublicReed": True}},
     "LibraryExtension.IsPublicReed"),
    (models.ModifyLibraryRequest, {"LibraryId": "smh1", "Tags": [{"TagKey": "k", "Value": "v"}]}, "Tags.0.Value"),
    (models.DescribeLibrariesRequest, {"Offset": 0, "PageLimit": 10}, "PageLimit"),
])
def test_a_field_the_model_lacks_is_refused(model: type, params: dict, bad: str) -> None:
    with pytest.raises(ProviderError, match=bad.replace(".", r"\.")):
        smh._req(model, params)


def test_known_fields_pass() -> None:
    req = smh._req(models.CreateLibraryRequest, {
        "Name": "x", "Remark": "r", "BucketName": "b-1250000000", "BucketRegion": "ap-guangzhou",
        "LibraryExtension": {"IsMultiSpace": True, "EnableQuota": True, "LibraryQuota": 10},
        "Tags": [{"TagKey": "k", "TagValue": "v"}]})
    assert req.LibraryExtension.LibraryQuota == 10 and req.Tags[0].TagValue == "v"
