"""The plugin's schema comes from the resource tables (the same source as docs/resources.md) and is current."""

from __future__ import annotations

import json

from scripts import gen_resources_doc as gen
from smh_provider.plugin import schema


def test_schema_json_is_current() -> None:
    assert schema.render() == schema.load(), "schema.json is stale: run python -m smh_provider.plugin.schema"


def test_every_documented_argument_is_a_schema_input() -> None:
    """Every argument docs/resources.md lists is an input of the schema, except the mark the URN gives."""
    spec = json.loads(schema.load())
    for resource in gen.RESOURCES:
        res = spec["resources"][schema.token(resource.__name__)]
        module_props = [p for p in schema.input_props(gen, resource)]
        assert [p.name for p in module_props] == list(res["inputProperties"]), resource.__name__
        documented = {p.name for p in getattr(__import__(resource.__module__, fromlist=["x"]), "DOC_PROPS",
                                              gen.provider_of(resource).props) if not p.internal}
        assert documented - {"owner"} == set(res["inputProperties"]), resource.__name__
        for name, _ in gen.outputs(resource):
            assert name in res["properties"], (resource.__name__, name)


def test_secret_outputs_and_config() -> None:
    spec = json.loads(schema.load())
    assert spec["resources"]["smh:index:MediaLibrary"]["properties"]["library_secret"]["secret"] is True
    assert spec["config"]["variables"]["secretKey"]["secret"] is True
    assert "owner" not in spec["resources"]["smh:index:MediaLibrary"]["inputProperties"]
    assert spec["resources"]["smh:index:Space"]["requiredInputs"] == ["library_id"]
