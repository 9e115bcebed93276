"""__main__.py of the consumer project that tests/packaging/test_install.py builds outside the repo.

It imports smh_provider as any user would, declares every resource type against the emulator, and runs a
probe resource whose provider (pickled by value, like any class defined in __main__) reports, from inside
the dynamic provider process, where that process imported smh_provider from.
"""

import sys

import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

import smh_provider
from smh_provider import Album, Bucket, MediaLibrary, MediaProcessing, Space


class ProbeProvider(ResourceProvider):
    def create(self, props):  # type: ignore[no-untyped-def]
        import smh_provider as provider_side

        return CreateResult("probe", {"module_file": provider_side.__file__, "sys_path": list(sys.path),
                                      "executable": sys.executable})


class Probe(Resource):
    module_file: pulumi.Output[str]
    sys_path: pulumi.Output[list]
    executable: pulumi.Output[str]

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ProbeProvider(), name, {"module_file": None, "sys_path": None, "executable": None}, opts)


bucket = Bucket("bucket", bucket_name="consumer", app_id="1250000000", region="ap-guangzhou", force_destroy=True)
processing = MediaProcessing("processing", bucket=bucket.bucket, region=bucket.region)
library = MediaLibrary("library", library_name="consumer", multi_tenant=True, bucket=bucket.bucket,
                       bucket_region=bucket.region, force_destroy=True,
                       opts=pulumi.ResourceOptions(depends_on=[processing]))
space = Space("space", library=library, multi_album=True, force_destroy=True)
album = Album("album", album_name="Trip", library=library, space=space, force_destroy=True)
probe = Probe("probe", opts=pulumi.ResourceOptions(depends_on=[bucket]))

pulumi.export("bucket", bucket.bucket)
pulumi.export("library_id", library.library_id)
pulumi.export("space_id", space.space_id)
pulumi.export("album_name", album.album_name)
pulumi.export("program_module_file", smh_provider.__file__)
pulumi.export("provider_module_file", probe.module_file)
pulumi.export("provider_sys_path", probe.sys_path)
pulumi.export("provider_executable", probe.executable)
