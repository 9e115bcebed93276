"""Stack program of the team-state test (tests/e2e/test_s3_backend.py): one COS bucket through the provider.

With S3_TEST_HOLD=<dir> set, the program writes <dir>/holding and waits for <dir>/release: the update then
holds the stack's lock for exactly as long as the test wants, without any sleep-based timing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pulumi

from smh_provider import Bucket

cfg = pulumi.Config()
bucket = Bucket("shared-bucket", bucket_name=cfg.require("bucketName"), app_id=cfg.require("appId"),
                region=cfg.require("region"))
pulumi.export("bucket", bucket.bucket)
pulumi.export("endpoint", bucket.endpoint)

hold = os.environ.get("S3_TEST_HOLD")
if hold:
    (Path(hold) / "holding").touch()
    deadline = time.monotonic() + 120
    while not (Path(hold) / "release").exists():
        if time.monotonic() > deadline:
            raise pulumi.RunError(f"S3_TEST_HOLD: {hold}/release did not appear within 120 s")
        time.sleep(0.05)
