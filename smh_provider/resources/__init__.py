"""One module per resource: schema (PROPS), then the provider, then the Resource class."""

from smh_provider.resources.album import Album, AlbumProvider
from smh_provider.resources.bucket import Bucket, BucketProvider
from smh_provider.resources.bucket_cors import BucketCors, BucketCorsProvider
from smh_provider.resources.bucket_lifecycle import BucketLifecycle, BucketLifecycleProvider
from smh_provider.resources.bucket_referer import BucketReferer, BucketRefererProvider
from smh_provider.resources.media_library import MediaLibrary, MediaLibraryProvider
from smh_provider.resources.media_processing import MediaProcessing, MediaProcessingProvider
from smh_provider.resources.space import Space, SpaceProvider

__all__ = [
    "Album", "AlbumProvider", "Bucket", "BucketCors", "BucketCorsProvider", "BucketLifecycle",
    "BucketLifecycleProvider", "BucketProvider", "BucketReferer", "BucketRefererProvider", "MediaLibrary",
    "MediaLibraryProvider",
    "MediaProcessing", "MediaProcessingProvider", "Space", "SpaceProvider",
]
