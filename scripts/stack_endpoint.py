"""Print where the provider will send its calls for a stack: `<endpoint> <source>` (an empty line: real Tencent Cloud).

scripts/stack.sh asks this before it starts an emulator, so it applies the provider's own rule
(smh_provider.config.resolve_endpoint: the stack's smh:endpoint wins, SMH_ENDPOINT only when the stack sets none)
and starts an emulator only where the provider will call. Exit 2 with the provider's message for a malformed one.

    python scripts/stack_endpoint.py stacks/Pulumi.<stack>.yaml
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smh_provider.config import resolve_endpoint  # noqa: E402
from smh_provider.errors import ConfigError  # noqa: E402


def main(argv: list[str]) -> int:
    stack_file = Path(argv[1])
    doc = yaml.safe_load(stack_file.read_text()) if stack_file.is_file() else None
    config = (doc or {}).get("config") or {}
    if isinstance(config.get("smh:endpoint"), dict):  # a `secure:` value: the engine decrypts it, we cannot
        print(f"{stack_file}: smh:endpoint is a secret; scripts/stack.sh starts no emulator for it", file=sys.stderr)
        print("")
        return 0
    try:
        endpoint, source = resolve_endpoint(config, os.environ)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    print(f"{endpoint} {source}" if endpoint else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
