"""The `smh` Pulumi provider plugin: the resources of smh_provider served over Pulumi's gRPC provider protocol.

server.py (the ResourceProvider service), wire.py (property bags), importers.py (`pulumi import`), schema.py (the
package schema from the resource tables, committed as schema.json). docs/plugin.md tells how the engine finds it.
"""
