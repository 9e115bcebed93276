"""One module per resource: schema (PROPS), then the provider, then the Resource class."""

from smh_provider.resources.album import Album, AlbumProvider
from smh_provider.resources.bucket import Bucket, BucketProvider
from smh_provider.resources.bucket_cors import BucketCors, BucketCorsProvider
from smh_provider.resources.bucket_lifecycle import BucketLifecycle, BucketLifecycleProvider
from smh_provider.resources.bucket_referer import BucketReferer, BucketRefererProvider
from smh_provider.resources.folder_grant import FolderGrant, FolderGrantProvider
from smh_provider.resources.group import Group, GroupProvider
from smh_provider.resources.group_member import GroupMember, GroupMemberProvider
from smh_provider.resources.media_library import MediaLibrary, MediaLibraryProvider
from smh_provider.resources.media_processing import MediaProcessing, MediaProcessingProvider
from smh_provider.resources.role_table import RoleTable, RoleTableProvider
from smh_provider.resources.space import Space, SpaceProvider
from smh_provider.resources.space_set import SpaceSet, SpaceSetProvider
from smh_provider.resources.user import User, UserProvider

__all__ = [
    "Album", "AlbumProvider", "Bucket", "BucketProvider", "MediaLibrary", "MediaLibraryProvider",
    "MediaProcessing", "MediaProcessingProvider", "Space", "SpaceProvider", "SpaceSet", "SpaceSetProvider",
    "RoleTable", "RoleTableProvider", "User", "UserProvider", "Group", "GroupProvider", "GroupMember",
    "GroupMemberProvider", "FolderGrant", "FolderGrantProvider", "BucketCors", "BucketCorsProvider",
    "BucketLifecycle", "BucketLifecycleProvider", "BucketReferer", "BucketRefererProvider",
]
