"""`bin/smh`: project commands that are not Pulumi's.

    bin/smh discover [--region R ...] [--out DIR] [--stack NAME]

discover lists the account's buckets (with media processing), media libraries, tenant spaces and albums
(smh_provider/tools/discover.py, read-only) and writes into DIR (default: the current directory):

    import.json                    for `pulumi import --file import.json` (types smh:index:<Type>)
    Pulumi.<stack>.discovered.yaml the stack config to paste into stacks/Pulumi.<stack>.yaml (the Python program)

Credentials come from the environment, as for the provider: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY
(TENCENTCLOUD_SECURITY_TOKEN for temporary keys), SMH_ENDPOINT for a local emulator. They are never written out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from smh_provider import config
from smh_provider.errors import ProviderError
from smh_provider.regions import REGIONS
from smh_provider.tools import discover, import_plan


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smh", description="Project commands besides Pulumi's.")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("discover", help="list an account's media libraries and write a pulumi import file",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("--region", action="append", default=[],
                   help="COS region to list buckets in (repeat for several; default: every region)")
    d.add_argument("--out", default=".", help="directory for import.json and the stack config (default: .)")
    d.add_argument("--stack", default="discovered", help="stack name used in the config file's name")
    return parser


def discover_command(args: argparse.Namespace) -> int:
    bad = [r for r in args.region if r not in REGIONS]
    if bad:
        print(f"smh discover: unknown region(s) {bad}; known: {sorted(REGIONS)}", file=sys.stderr)
        return 2
    try:
        settings = config.load({})
        problem = settings.missing_credentials()
        if problem:
            print(f"smh discover: {problem}", file=sys.stderr)
            return 2
        account = discover.scan(settings, args.region or None)
    except ProviderError as err:
        print(f"smh discover: {err}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    imports = import_plan.import_file(account)
    (out / "import.json").write_text(json.dumps(imports, indent=2) + "\n")
    config_path = out / f"Pulumi.{args.stack}.discovered.yaml"
    config_path.write_text(import_plan.stack_config_yaml(account))
    spaces = sum(len(lib.spaces) for lib in account.libraries)
    albums = sum(len(lib.albums) + sum(len(s.albums) for s in lib.spaces) for lib in account.libraries)
    print(f"found {len(account.buckets)} buckets ({sum(b.media_processing for b in account.buckets)} with media "
          f"processing), {len(account.libraries)} media libraries, {spaces} tenant spaces, {albums} albums")
    for line in account.skipped:
        print(f"skipped: {line}")
    print(f"wrote {out / 'import.json'} ({len(imports['resources'])} resources): "
          f"pulumi import --file {out / 'import.json'}")
    print(f"wrote {config_path}: the stack config for the Python program (see docs/import.md)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "discover":
        return discover_command(args)
    return 2  # argparse rejects unknown commands before this


if __name__ == "__main__":
    sys.exit(main())
