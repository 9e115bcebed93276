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

__all__ = ["Album", "Bucket", "BucketCors", "BucketLifecycle", "BucketReferer", "FolderGrant", "Group",
           "GroupMember", "MediaLibrary", "MediaProcessing", "RoleTable", "Space", "SpaceSet", "User"]
