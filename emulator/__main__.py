"""`python -m emulator`: the local Tencent Cloud (COS, CI media processing, SMH)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from emulator.accounts import DEFAULT_APP_ID, DEFAULT_OWNER_UIN, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Accounts
from emulator.server import make_server
from emulator.store import Store

LIBRARY_BUCKET_MODES = ("honoured", "ignored")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=4566, help="port to bind (default 4566; 0 picks a free one)")
    p.add_argument("--state-dir", default=None, help="persist state here (SQLite); default: in memory")
    p.add_argument("--app-id", default=DEFAULT_APP_ID, help=f"default account APPID (default {DEFAULT_APP_ID})")
    p.add_argument(
        "--owner-uin", default=DEFAULT_OWNER_UIN, help=f"default account owner UIN (default {DEFAULT_OWNER_UIN})"
    )
    p.add_argument("--secret-id", default=DEFAULT_SECRET_ID, help="default account SecretId")
    p.add_argument("--secret-key", default=DEFAULT_SECRET_KEY, help="default account SecretKey")
    p.add_argument("--accounts", default=None, help="JSON file with extra accounts and keys")
    p.add_argument(
        "--library-bucket", choices=LIBRARY_BUCKET_MODES,
        default=os.environ.get("EMULATOR_LIBRARY_BUCKET") or "honoured",
        help="CreateLibrary with BucketName/BucketRegion: 'honoured' binds that bucket (default), 'ignored' stores "
             "the library in a bucket the emulator creates (smh-<random>-<appid>), as the current SDK documents "
             "(env EMULATOR_LIBRARY_BUCKET)")
    args = p.parse_args(argv)

    accounts = Accounts.build(args.app_id, args.secret_id, args.secret_key, args.owner_uin, args.accounts)
    store = Store(args.state_dir)
    server, _ = make_server(args.host, args.port, store, accounts, args.library_bucket)
    host, port = server.server_address[:2]

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"emulator listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
