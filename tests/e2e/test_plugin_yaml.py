"""The seed's stack through both hosts: the Python program (dynamic providers) and the YAML example served by the
`smh` provider plugin, against the same target; then the YAML stack's preview, change, refresh and destroy.

One YAML stack: the both-hosts comparison and the lifecycle share its `up`, to keep the suite fast."""

from __future__ import annotations

import json

from pulumi import automation as auto

from smh_provider import ownership
from smh_provider.clients import smh
from tests.e2e.conftest import base_config
from tests.e2e.plugin_support import (  # noqa: F401 - fixtures
    QUIET,
    dumps,
    make_yaml_stack,
    plugin_config,
    seed_snapshot,
    state_resources,
    yaml_project,
)
from tests.targets import Target

SIG, SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"  # pulumi's secret marker
# The seed's stack (examples/yaml/Pulumi.yaml declares the same) in the Python program's stack config.
SPACES = {"alice": {"multi_album": True, "albums": {"trip": "Trip 2026"}},
          "bob": {"allow_video": False, "public_read": False, "space_tag": "personal"}}


def test_seed_stack_through_both_hosts(target: Target, make_stack, make_yaml_stack) -> None:  # noqa: F811
    bucket_name = target.name("seed")
    full = target.full_bucket(bucket_name)

    # 1. The Python program, dynamic providers.
    py = make_stack(base_config(target, **{
        "smh-media:bucketName": bucket_name,
        "smh-media:library": json.dumps({"library_name": "photos", "multi_tenant": True}),
        "smh-media:spaces": json.dumps(SPACES)}))
    up = py.up(**QUIET)
    python_view = seed_snapshot(target, full, up.outputs["library_id"].value)
    assert python_view["library"]["tags"][ownership.OWNER_TAG] == "media-library"
    py.destroy(**QUIET)
    assert target.bucket(full) is None

    # 2. The YAML program through the plugin: preview, then up, the same objects in the cloud.
    stack = make_yaml_stack(plugin_config(target, bucketName=bucket_name, libraryName="photos"))
    preview = stack.preview(**QUIET)
    assert preview.change_summary == {"create": 7}, preview.change_summary
    up = stack.up(**QUIET)
    assert up.summary.resource_changes == {"create": 7}, up.summary.resource_changes
    library_id = up.outputs["libraryId"].value
    yaml_view = seed_snapshot(target, full, library_id)
    assert yaml_view == python_view, f"python:\n{dumps(python_view)}\nyaml:\n{dumps(yaml_view)}"

    # The mark comes from the URN: <project>/<stack>/<resource>, as ownership.mark() in a Python program.
    lib = smh.find_library(smh.client(target.settings()), library_id)
    assert lib.tags[ownership.OWNER_TAG] == f"smh-yaml/{stack.name}/media-library"
    state = state_resources(stack)
    secret = state["media-library"]["outputs"]["library_secret"]
    # (export_stack shows secrets decrypted, still marked as secrets by the signature key)
    assert isinstance(secret, dict) and secret.get(SIG) == SECRET_SIG, f"library_secret is not a secret: {secret}"
    assert state["space-bob"]["outputs"]["owner"] == f"smh-yaml/{stack.name}/space-bob"

    # 3. A change: three in-place updates, nothing replaced (the library's update keeps its id known at preview,
    # so its spaces and album do not preview as replaced), and the preview names exactly the changed properties.
    stack.set_all_config({"smh-yaml:bobPublicRead": auto.ConfigValue("true"),
                          "smh-yaml:tripAlbumName": auto.ConfigValue("Trip 2027"),
                          "smh-yaml:libraryName": auto.ConfigValue("pictures")})
    lines: list[str] = []
    preview = stack.preview(diff=True, on_output=lines.append)
    assert preview.change_summary == {"update": 3, "same": 4}, preview.change_summary
    text = "\n".join(lines)
    assert "public_read: false => true" in text and '"Trip 2026" => "Trip 2027"' in text, text
    assert "owner" not in text and "identity" not in text, text
    up = stack.up(**QUIET)
    assert up.summary.resource_changes == {"update": 3, "same": 4}, up.summary.resource_changes
    assert up.outputs["libraryId"].value == library_id
    view = seed_snapshot(target, full, library_id)
    assert view["library"]["name"] == "pictures"
    assert view["spaces"]["space-bob"]["public_read"] is True
    assert view["spaces"]["space-alice"]["albums"] == ["Trip 2027"]

    # 4. Refresh finds nothing to change; then a preview shows no changes.
    refresh = stack.refresh(**QUIET)
    assert set(refresh.summary.resource_changes or {}) <= {"same"}, refresh.summary.resource_changes
    stack.preview(expect_no_changes=True, **QUIET)

    # 5. Destroy removes every object.
    stack.destroy(**QUIET)
    assert target.bucket(full) is None
    assert target.library(library_id) is None
