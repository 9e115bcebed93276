"""The Pulumi package schema of the `smh` provider plugin, generated from the resources' property tables.

Each resource module declares its inputs once, as a tuple of `Prop` (smh_provider/resources/_base.py). The same
tables, read through scripts/gen_resources_doc.py (which renders docs/resources.md), give this schema: one
resource `smh:index:<Type>` per Resource class the package exports, its input properties (every `Prop` that is
not bookkeeping), which are required, the outputs the class declares, and which outputs are secret. So the
reference page and the schema cannot disagree; tests/plugin/test_schema.py fails when schema.json is stale.

    python -m smh_provider.plugin.schema           rewrite smh_provider/plugin/schema.json
    python -m smh_provider.plugin.schema --check   exit 1 if it is stale

Property names are the Python names (`library_name`, `bucket_region`): the plugin serves the very providers the
Python program uses, so state, detailed diffs and check failures name properties the same way in both hosts.

Not inputs: `owner` (the plugin derives the ownership mark from the resource's URN, see server.py) and the
`internal` props (digests and labels the Python classes compute from resource objects). The provider's config
is the `smh:` namespace: the engine hands a provider only the config of its own package (pkg/resource/deploy/
target.go GetPackageConfig), so `tencentcloud:secretId` of a Python stack is `smh:secretId` here; the
environment variables (TENCENTCLOUD_SECRET_ID, ...) work in both.

The plugin itself only reads the generated schema.json (GetSchema); this generator runs at development time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from smh_provider import config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(__file__).resolve().parent / "schema.json"
PACKAGE = "smh"
VERSION = "0.1.0"  # pyproject.toml's version: the plugin's version (GetPluginInfo) and the schema's

# Resource props that are never inputs of the plugin: set from the URN (owner) or by the Python classes only.
NOT_INPUTS = ("owner",)
# Config keys (smh_provider/config.py KEYS) as `smh:<name>`: name -> (type, secret).
CONFIG_TYPES = {"secretId": ("string", False), "secretKey": ("string", True), "securityToken": ("string", True),
                "region": ("string", False), "endpoint": ("string", False),
                "operationTimeoutSeconds": ("string", False), "debug": ("string", False)}
CONFIG_DOCS = {
    "secretId": "Tencent Cloud SecretId (else TENCENTCLOUD_SECRET_ID)",
    "secretKey": "Tencent Cloud SecretKey (else TENCENTCLOUD_SECRET_KEY); set it with `pulumi config set --secret`",
    "securityToken": "temporary credentials' token (else TENCENTCLOUD_SECURITY_TOKEN)",
    "region": "default region (else TENCENTCLOUD_REGION)",
    "endpoint": "http://host:port of a local emulator instead of Tencent Cloud (else SMH_ENDPOINT)",
    "operationTimeoutSeconds": "seconds one create/read/update/delete may take, retries included: 1 to 86400 "
                               "(default 120; else SMH_OPERATION_TIMEOUT_SECONDS)",
    "debug": "true: errors show the provider's Python traceback too (else SMH_DEBUG)",
}


def token(type_name: str) -> str:
    return f"{PACKAGE}:index:{type_name}"


def _type(kind: str) -> dict[str, Any]:
    if kind == "str":
        return {"type": "string"}
    if kind == "int":
        return {"type": "integer"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "list":
        return {"type": "array", "items": {"type": "string"}}
    if kind == "map":
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if kind == "objects":
        return {"type": "array", "items": {"$ref": "pulumi.json#/Any"}}
    if kind.startswith("map of"):  # SpaceSet.spaces: key -> a space's settings (an object)
        return {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}}
    raise ValueError(f"no schema type for kind {kind!r}")


_OUTPUT_TYPES = {"str": "string", "int": "integer", "bool": "boolean", "list": "array", "dict": "object"}


def _output_type(kind: str) -> dict[str, Any]:
    name = _OUTPUT_TYPES.get(kind, "string")
    if name == "array":
        return {"type": "array", "items": {"$ref": "pulumi.json#/Any"}}
    if name == "object":
        return {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}}
    return {"type": name}


def _description(gen: Any, resource: type, prop: Any) -> str:
    parts = [prop.doc.rstrip(".")] if prop.doc else []
    rule = gen.rule_text(resource, prop)
    if rule:
        parts.append(f"Rule: {rule}")
    change = gen.on_change(prop)
    parts.append(f"On change: {change}")
    if prop.default not in (None, [], {}):
        parts.append(f"Default: {json.dumps(prop.default)}")
    return ". ".join(parts) + "."


def _input_table(provider: type) -> list[Any]:
    module = sys.modules[provider.__module__]
    table = getattr(module, "DOC_PROPS", provider.props)  # type: ignore[attr-defined]
    return [p for p in table if not p.internal and p.name not in NOT_INPUTS]


def input_names(provider: type) -> list[str]:
    """The schema's input properties of the resource `provider` serves (no generator needed: the plugin uses it)."""
    return [p.name for p in _input_table(provider)]


def input_props(gen: Any, resource: type) -> list[Any]:
    """The Props a program sets for this resource, in table order (the module's DOC_PROPS when it has one)."""
    return _input_table(gen.provider_of(resource))


def resource_spec(gen: Any, resource: type) -> dict[str, Any]:
    props = input_props(gen, resource)
    inputs: dict[str, Any] = {}
    required: list[str] = []
    for prop in props:
        inputs[prop.name] = {**_type(prop.kind), "description": _description(gen, resource, prop)}
        if gen.required(resource, prop).startswith("yes"):
            required.append(prop.name)
    secrets = gen.secret_outputs(resource)
    outputs = dict(inputs)
    for name, kind in gen.outputs(resource):
        if name not in outputs:
            outputs[name] = {**_output_type(kind), "description": f"{name} (read from the service)"}
        if name in secrets:
            outputs[name] = {**outputs[name], "secret": True}
    provider = gen.provider_of(resource)
    if any(p.name == "owner" for p in provider.props):
        outputs["owner"] = {"type": "string", "description": "the ownership mark <project>/<stack>/<resource> this "
                                                             "stack writes on the object (from the resource's URN)"}
    summary = (resource.__doc__ or "").strip().splitlines()[0] if resource.__doc__ else resource.__name__
    details = (sys.modules[resource.__module__].__doc__ or "").split("\n\n", 1)
    description = summary + ("\n\n" + details[1].strip() if len(details) > 1 else "")
    return {
        "description": description,
        "properties": outputs,
        "required": list(required),
        "inputProperties": inputs,
        "requiredInputs": required,
    }


def config_spec() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (kind, secret) in CONFIG_TYPES.items():
        spec: dict[str, Any] = {"type": kind, "description": CONFIG_DOCS[name]}
        if secret:
            spec["secret"] = True
        out[name] = spec
    return out


def build() -> dict[str, Any]:
    """The package schema as a dict (pulumi.com/docs/iac/extending-pulumi/schema)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # Imported here, not at the top: the plugin imports this module at run time (load, input_names), also from an
    # installed wheel, which ships no scripts/; only generating the schema reads the tables through the doc generator.
    from scripts import gen_resources_doc as gen

    short = {full.split(":", 1)[1] for full, _ in config.KEYS.values()}
    if short != set(CONFIG_TYPES):
        raise SystemExit(f"smh_provider/config.py KEYS {sorted(short)} and CONFIG_TYPES {sorted(CONFIG_TYPES)} differ: "
                         "update CONFIG_TYPES and CONFIG_DOCS in smh_provider/plugin/schema.py")
    variables = config_spec()
    return {
        "name": PACKAGE,
        "displayName": "Tencent Cloud SMH media libraries",
        "version": VERSION,
        "description": "Tencent Cloud SMH (智能媒资托管) media libraries, their COS buckets and media processing, "
                       "served by the Python providers of smh_provider.",
        "keywords": ["pulumi", "tencentcloud", "smh", "cos", "category/cloud"],
        "license": "Apache-2.0",
        "config": {"variables": variables},
        "provider": {"description": "The smh provider: credentials and endpoint (the `smh:` config namespace).",
                     "inputProperties": variables, "properties": variables},
        "resources": {token(r.__name__): resource_spec(gen, r) for r in gen.RESOURCES},
        "language": {
            "python": {"packageName": "pulumi_smh", "respectSchemaVersion": True},
            "nodejs": {"packageName": "@smh-media/pulumi-smh", "respectSchemaVersion": True},
            "go": {"importBasePath": "smh-media.local/pulumi-smh/sdk/go/smh", "respectSchemaVersion": True},
            "csharp": {"rootNamespace": "SmhMedia", "respectSchemaVersion": True},
        },
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def load() -> str:
    """The committed schema text, as GetSchema serves it."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    text = render()
    if "--check" in args:
        if text != current:
            print("smh_provider/plugin/schema.json is stale: run `python -m smh_provider.plugin.schema`",
                  file=sys.stderr)
            return 1
        return 0
    if text != current:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        print("wrote smh_provider/plugin/schema.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
