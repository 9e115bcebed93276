"""One module per resource: schema (PROPS), then the provider, then the Resource class."""

from smh_provider.resources.bucket import Bucket, BucketProvider
from smh_provider.resources.media_library import MediaLibrary, MediaLibraryProvider
from smh_provider.resources.media_processing import MediaProcessing, MediaProcessingProvider

__all__ = ["Bucket", "BucketProvider", "MediaLibrary", "MediaLibraryProvider", "MediaProcessing",
           "MediaProcessingProvider"]
