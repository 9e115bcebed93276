"""Errors of the SMH provider.

    ProviderError                 anything this package raises on purpose
     ├── ConfigError              missing or invalid credentials / endpoint settings
     ├── ValidationError          an input breaks a rule (raised where check() cannot catch it)
     ├── WaitTimeout              a named waiter gave up
     └── CloudError               a Tencent Cloud call failed: code, message, request id, HTTP status
          ├── NotFound            the thing is not there (NoSuchBucket, ResourceNotFound.Library, ...)
          ├── AlreadyExists       a create found the name taken
          │    └── AlreadyOwned   ... by the caller (BucketAlreadyOwnedByYou, MediaBucketAlreadyBinded)
          ├── Conflict            state forbids it (BucketNotEmpty, ResourceInUse.MultiSpace)
          ├── InvalidInput        the service refused a parameter (InvalidParameterValue.*, InvalidBucketName)
          ├── AuthError           signature, key or permission problems
          └── Retryable           worth another try with backoff
               ├── Throttled      RequestLimitExceeded, SlowDown, 429
               ├── ServerError    5xx, InternalError
               └── TransportError connection refused / reset / timed out: no answer at all

`classify(code, status)` maps a Tencent error code (and HTTP status) to the class; the table
below is the one place that knowledge lives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ProviderError(Exception):
    """Base class for every error this package raises on purpose."""


class ConfigError(ProviderError):
    pass


class ValidationError(ProviderError):
    pass


class WaitTimeout(ProviderError):
    pass


class CloudError(ProviderError):
    """A failed Tencent Cloud call, with the context of what the provider was doing."""

    def __init__(self, code: str, message: str, request_id: str = "", status: int = 0, doing: str = "") -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status
        self.doing = doing
        super().__init__(self._text())

    def _text(self) -> str:
        rid = f" (RequestId {self.request_id})" if self.request_id else ""
        prefix = f"{self.doing}{rid}: " if self.doing else (f"RequestId {self.request_id}: " if rid else "")
        return f"{prefix}{self.code}: {self.message}"

    def while_(self, doing: str) -> CloudError:
        """Attach what the provider was doing (keeps the class, code and request id)."""
        self.doing = doing
        self.args = (self._text(),)
        return self


class NotFound(CloudError):
    pass


class AlreadyExists(CloudError):
    pass


class AlreadyOwned(AlreadyExists):
    pass


class Conflict(CloudError):
    pass


class InvalidInput(CloudError):
    pass


# Codes that mean the caller's keys (not a data-plane token) were refused: the message says what to check.
CREDENTIAL_CODES = {
    "SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "RequestTimeTooSkewed", "Request has expired",
    "MissingAuthorization", "InvalidAuthorization", "SecretidNotExist", "SignatureExpired",
    "AuthorizationHeaderMalformed", "UnauthorizedOperation",
}


class AuthError(CloudError):
    def _text(self) -> str:
        text = super()._text()
        if self.code in CREDENTIAL_CODES or self.code.startswith(("AuthFailure", "UnauthorizedOperation")):
            if self.code in ("AccessDenied", "UnauthorizedOperation") or "Unauthorized" in self.code:
                text += (" - the key may lack a CAM permission this call needs (docs/permissions.md lists them), "
                         "or tencentcloud:secretId / tencentcloud:secretKey are wrong")
            elif self.code in ("RequestTimeTooSkewed", "SignatureExpired", "AuthFailure.SignatureExpire"):
                text += " - check this machine's clock"
            else:
                text += (" - check tencentcloud:secretId and tencentcloud:secretKey (or TENCENTCLOUD_SECRET_ID / "
                         "TENCENTCLOUD_SECRET_KEY): they do not form a valid key pair of the account")
        return text


class Retryable(CloudError):
    pass


class Throttled(Retryable):
    pass


class ServerError(Retryable):
    pass


class TransportError(Retryable):
    def with_endpoint_hint(self, endpoint: str | None) -> TransportError:
        """Say where the provider was talking to, once retries are exhausted (once)."""
        if " - nothing answered at " in self.message or " - Tencent Cloud did not answer" in self.message:
            return self
        if endpoint:
            self.message += (f" - nothing answered at smh:endpoint / SMH_ENDPOINT = {endpoint}: is the emulator "
                             "running there (`make up` starts it), or should the endpoint be unset for Tencent Cloud?")
        else:
            self.message += " - Tencent Cloud did not answer: check the network, proxy settings and the region"
        self.args = (self._text(),)
        return self


CODE_TABLE: dict[str, type[CloudError]] = {
    # COS
    "NoSuchBucket": NotFound,
    "NoSuchKey": NotFound,
    "NoSuchTagSet": NotFound,
    "NoSuchUpload": NotFound,
    "NoSuchResource": NotFound,
    "NoSuchCORSConfiguration": NotFound,
    "NoSuchLifecycleConfiguration": NotFound,
    "BucketAlreadyExists": AlreadyExists,
    "BucketAlreadyOwnedByYou": AlreadyOwned,
    "BucketNotEmpty": Conflict,
    "InvalidBucketName": InvalidInput,
    "BucketNameTooLong": InvalidInput,
    "TooManyBuckets": Conflict,
    "InvalidArgument": InvalidInput,
    "InvalidRequest": InvalidInput,
    "InvalidTag": InvalidInput,
    "MalformedXML": InvalidInput,
    "InvalidDigest": InvalidInput,
    "InvalidRegionName": InvalidInput,
    "MultiAZFeatureNotSupport": InvalidInput,
    "AccessDenied": AuthError,
    "AccessForbidden": AuthError,  # a refused CORS preflight (never sent by the provider)
    "InvalidAccessKeyId": AuthError,
    "SignatureDoesNotMatch": AuthError,
    "RequestTimeTooSkewed": AuthError,
    "Request has expired": AuthError,
    "SlowDown": Throttled,
    "ServiceUnavailable": ServerError,
    "InternalError": ServerError,
    # CI
    "MediaBucketAlreadyBinded": AlreadyOwned,
    "ResourceNotFound": NotFound,
    "MissingAuthorization": AuthError,
    "InvalidAuthorization": AuthError,
    "SecretidNotExist": AuthError,
    "SignatureExpired": AuthError,
    # SMH API 3.0
    "ResourceNotFound.Library": NotFound,
    "ResourceInUse.MultiSpace": Conflict,
    "RequestLimitExceeded": Throttled,
    "AuthFailure.SecretIdNotFound": AuthError,
    "AuthFailure.SignatureFailure": AuthError,
    "AuthFailure.SignatureExpire": AuthError,
    "AuthFailure.InvalidSecretId": AuthError,
    "AuthFailure.InvalidAuthorization": AuthError,
    "AuthFailure.TokenFailure": AuthError,
    "AuthFailure.UnauthorizedOperation": AuthError,
    "UnauthorizedOperation": AuthError,
    "MissingParameter": InvalidInput,
    # SMH data plane
    "RateLimitExceeded": Throttled,
    "InternalServerError": ServerError,
    "ServerOverloaded": ServerError,
    "LibraryNotFound": NotFound,
    "SpaceNotFound": NotFound,
    "DirectoryNotFound": NotFound,
    "SameNameDirectoryOrFileExists": AlreadyExists,
    # SMH data plane: files (upload, confirm, move, copy) and COS multipart
    "FileNotFound": NotFound,
    "UploadNotFound": NotFound,
    "UploadIncomplete": Conflict,
    "UploadNotBelongYou": AuthError,
    "InvalidSourceFile": InvalidInput,
    "EntityTooSmall": InvalidInput,
    "InvalidPart": InvalidInput,
    "InvalidPartOrder": InvalidInput,
    "SpaceNotEmpty": Conflict,
    "NotMultiSpaceLibrary": InvalidInput,
    "DirectoryNotAllowed": InvalidInput,
    "DirectoryLevelExceed": InvalidInput,
    "DirectoryNameLengthExceed": InvalidInput,
    "ImmutableSpaceAttribute": InvalidInput,
    "EmptyPath": InvalidInput,
    "InvalidParameter": InvalidInput,
    "InvalidSourceDirectory": InvalidInput,
    "SourceDirectoryNotFound": NotFound,
    "QuotaLimitReached": Conflict,
    "NoQuota": NotFound,
    "DuplicateQuota": AlreadyExists,
    "InvalidAccessToken": AuthError,
    # SMH data plane: permissions (docs/smh-permissions.md)
    "UserResourceInUse": Conflict,
    "UserAlreadyExists": AlreadyExists,
    "UserNotFound": NotFound,
    "GroupAlreadyExists": AlreadyExists,
    "GroupNotFound": NotFound,
    "MemberNotFound": NotFound,
    "GroupNestingTooDeep": InvalidInput,
    "GroupNestingCycle": InvalidInput,
    "RoleListAlreadyInitialized": AlreadyExists,
    "RoleNotFound": NotFound,
    "AccessTokenNotMatchSpace": AuthError,
    "NoPermission": AuthError,
    "WrongLibraryIdOrSecret": AuthError,
    "EmptyAccessToken": AuthError,
    "EmptyLibraryId": InvalidInput,
    "EmptyLibrarySecret": InvalidInput,
    "EmptyLibraryIdOrSecret": InvalidInput,
    "EmptyFileName": InvalidInput,
    "ExtnameNotAllowed": InvalidInput,
    "FileNameLengthExceed": InvalidInput,
    "InvalidConflictResolutionStrategy": InvalidInput,
    "UploadToRootDirectoryNotAllowed": InvalidInput,
    # The request itself is malformed (a provider defect, never worth a retry)
    "InvalidAction": InvalidInput,
    "UnknownParameter": InvalidInput,
    "UnsupportedProtocol": InvalidInput,
    "NoSuchVersion": InvalidInput,
    "UnsupportedOperation": InvalidInput,
    "InvalidHost": InvalidInput,
    "InvalidURI": InvalidInput,
    "MethodNotAllowed": InvalidInput,
    # S3 signature (SigV4) answers of COS
    "AuthorizationHeaderMalformed": AuthError,
    "XAmzContentSHA256Mismatch": InvalidInput,
    "IncompleteBody": InvalidInput,
    "BadDigest": InvalidInput,
}
PREFIX_TABLE: list[tuple[str, type[CloudError]]] = [
    ("InvalidParameterValue", InvalidInput),
    ("InvalidParameter", InvalidInput),
    ("AuthFailure", AuthError),
    ("ResourceNotFound", NotFound),
    ("ResourceInUse", Conflict),
    ("RequestLimitExceeded", Throttled),
    ("InternalError", ServerError),
    ("LimitExceeded", Conflict),
]


def classify(code: str, status: int = 0) -> type[CloudError]:
    """The error class for a Tencent code; the HTTP status decides when the code is unknown."""
    if code in CODE_TABLE:
        return CODE_TABLE[code]
    for prefix, cls in PREFIX_TABLE:
        if code.startswith(prefix + ".") or code == prefix:
            return cls
    if status == 429:
        return Throttled
    if status >= 500:
        return ServerError
    if status == 404:
        return NotFound
    if status in (401, 403):
        return AuthError
    return CloudError


def cloud_error(code: str, message: str, request_id: str = "", status: int = 0, doing: str = "") -> CloudError:
    return classify(code, status)(code, message, request_id, status, doing)


def if_found(call: Callable[[], T]) -> T | None:
    """What `call` returns, or None when what it reads or deletes is gone (NotFound)."""
    try:
        return call()
    except NotFound:
        return None
