"""Pulumi dynamic resources for Tencent Cloud Smart Media Hosting (SMH).

Import has no side effects: no client, credential or network access until a provider method runs
inside the Pulumi provider process.
"""

from smh_provider.resources import (
    Album,
    Bucket,
    BucketCors,
    BucketLifecycle,
    BucketReferer,
    FolderGrant,
    Group,
    GroupMember,
    MediaLibrary,
    MediaProcessing,
    RoleTable,
    Space,
    SpaceSet,
    User,
)

# In the order docs/resources.md (scripts/gen_resources_doc.py) documents them.
__all__ = ["Bucket", "MediaProcessing", "MediaLibrary", "Space", "Album", "SpaceSet", "RoleTable", "User", "Group",
           "GroupMember", "FolderGrant", "BucketCors", "BucketLifecycle", "BucketReferer"]
