"""LibraryExtension: field types, defaults, ranges and the null rules of fact sheet 4.2.

A library is one of three kinds, fixed at creation: single-space media, single-space file, or
multi-space (media or file). Several fields only exist for some kinds and are null on the others:

    IsPublicRead, RecognizeSensitiveContent                  single-space libraries
    IsMultiAlbum, AllowPhoto, AllowVideo, Allow*ExtName      single-space media libraries
    AllowFileExtName                                         single-space file libraries
    AutoRemoveRecycledDays                                   only while UseRecycleBin
    FileHistoryCount, FileHistoryExpireDay                   only while EnableFileHistory
    LibraryQuota                                             only with EnableQuota (multi-space only)

The stored extension is always the normalised, complete output form (every field present).
"""

from __future__ import annotations

from typing import Any

from emulator.errors import Api3Error

FIELDS: dict[str, str] = {
    "IsFileLibrary": "bool", "IsMultiSpace": "bool", "CosStorageClass": "str", "UseRecycleBin": "bool",
    "AutoRemoveRecycledDays": "int", "EnableSearch": "bool", "DenyOnQuotaLessThanUsage": "bool",
    "EnableFileHistory": "bool", "FileHistoryCount": "int", "FileHistoryExpireDay": "int",
    "MaxDirFileNameLength": "int", "IsPublicRead": "bool", "IsMultiAlbum": "bool", "AllowPhoto": "bool",
    "AllowPhotoExtName": "strlist", "AllowVideo": "bool", "AllowVideoExtName": "strlist",
    "AllowFileExtName": "strlist", "RecognizeSensitiveContent": "bool", "EnableQuota": "bool", "LibraryQuota": "int",
}
IMMUTABLE = ("IsFileLibrary", "IsMultiSpace", "CosStorageClass", "IsMultiAlbum", "EnableQuota")
STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "MAZ_STANDARD", "MAZ_STANDARD_IA",
                   "MAZ_INTELLIGENT_TIERING")
RANGES = {
    "AutoRemoveRecycledDays": (0, 1095), "FileHistoryCount": (1, 999), "FileHistoryExpireDay": (0, 999),
    "MaxDirFileNameLength": (1, 255), "LibraryQuota": (1, 9223372036854775807),
}
SINGLE_SPACE = ("IsPublicRead", "RecognizeSensitiveContent")
SINGLE_MEDIA = ("IsMultiAlbum", "AllowPhoto", "AllowVideo", "AllowPhotoExtName", "AllowVideoExtName")
SINGLE_FILE = ("AllowFileExtName",)
DEFAULT_FILE_HISTORY_COUNT = 999
DEFAULT_FILE_HISTORY_EXPIRE_DAY = 0


def _invalid(message: str, code: str = "InvalidParameterValue") -> Api3Error:
    return Api3Error(code, message)


def storage_class(value: str, maz_bucket: bool) -> str:
    """The class actually used: MAZ_ classes on multi-AZ buckets, plain ones elsewhere (per the field doc)."""
    base = value.removeprefix("MAZ_")
    return "MAZ_" + base if maz_bucket else base


def _check_kind(given: dict[str, Any], file_library: bool, multi_space: bool) -> None:
    kind = "multi-space" if multi_space else ("single-space file" if file_library else "single-space media")
    for name in given:
        if name in SINGLE_SPACE and multi_space:
            allowed = "single-space libraries"
        elif name in SINGLE_MEDIA and (multi_space or file_library):
            allowed = "single-space media libraries"
        elif name in SINGLE_FILE and (multi_space or not file_library):
            allowed = "single-space file libraries"
        else:
            continue
        raise _invalid(f"LibraryExtension.{name} is only supported by {allowed}, not by a {kind} library")


def _check_values(given: dict[str, Any]) -> None:
    for name, (low, high) in RANGES.items():
        if name in given and not low <= given[name] <= high:
            raise _invalid(f"LibraryExtension.{name} must be within {low}..{high}, got {given[name]}")
    if "CosStorageClass" in given and given["CosStorageClass"] not in STORAGE_CLASSES:
        raise _invalid(f"LibraryExtension.CosStorageClass must be one of {', '.join(STORAGE_CLASSES)}",
                       "InvalidParameterValue.CosStorageClass")
    for name in ("AllowPhotoExtName", "AllowVideoExtName", "AllowFileExtName"):
        if any(not ext for ext in given.get(name) or []):
            raise _invalid(f"LibraryExtension.{name} must not contain empty extension names")


def normalise(ext: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults and apply the null rules; `ext` holds the merged settings (missing = not set)."""
    out: dict[str, Any] = {}
    for name in ("IsFileLibrary", "IsMultiSpace", "UseRecycleBin", "EnableSearch", "DenyOnQuotaLessThanUsage",
                 "EnableFileHistory", "EnableQuota"):
        out[name] = bool(ext.get(name))
    file_library, multi = out["IsFileLibrary"], out["IsMultiSpace"]
    single_media, single_file = not multi and not file_library, not multi and file_library

    def pick(name: str, applies: bool, default: Any) -> Any:
        if not applies:
            return None
        value = ext.get(name)
        return default if value is None else value

    out["CosStorageClass"] = ext.get("CosStorageClass") or "STANDARD"
    out["AutoRemoveRecycledDays"] = pick("AutoRemoveRecycledDays", out["UseRecycleBin"], 0)
    out["FileHistoryCount"] = pick("FileHistoryCount", out["EnableFileHistory"], DEFAULT_FILE_HISTORY_COUNT)
    out["FileHistoryExpireDay"] = pick("FileHistoryExpireDay", out["EnableFileHistory"],
                                       DEFAULT_FILE_HISTORY_EXPIRE_DAY)
    out["MaxDirFileNameLength"] = pick("MaxDirFileNameLength", True, 255)
    out["IsPublicRead"] = pick("IsPublicRead", not multi, False)
    out["RecognizeSensitiveContent"] = pick("RecognizeSensitiveContent", not multi, False)
    out["IsMultiAlbum"] = pick("IsMultiAlbum", single_media, False)
    out["AllowPhoto"] = pick("AllowPhoto", single_media, True)
    out["AllowVideo"] = pick("AllowVideo", single_media, True)
    out["AllowPhotoExtName"] = pick("AllowPhotoExtName", single_media, [])
    out["AllowVideoExtName"] = pick("AllowVideoExtName", single_media, [])
    out["AllowFileExtName"] = pick("AllowFileExtName", single_file, [])
    out["LibraryQuota"] = pick("LibraryQuota", out["EnableQuota"], None)
    return {name: out[name] for name in FIELDS}


def for_create(given: dict[str, Any], maz_bucket: bool) -> dict[str, Any]:
    """Validate a CreateLibrary LibraryExtension and return the stored (complete) extension."""
    file_library, multi = bool(given.get("IsFileLibrary")), bool(given.get("IsMultiSpace"))
    _check_kind(given, file_library, multi)
    _check_values(given)
    if given.get("EnableQuota"):
        if not multi:
            raise _invalid("EnableQuota is only supported by multi-space libraries",
                           "InvalidParameterValue.LibraryQuotaRequiresMultiSpace")
        if given.get("LibraryQuota") is None:
            raise _invalid("LibraryQuota is required when EnableQuota is true",
                           "InvalidParameterValue.LibraryQuotaRequired")
    elif "LibraryQuota" in given:
        raise _invalid("LibraryExtension.LibraryQuota is only accepted together with EnableQuota=true")
    ext = dict(given)
    ext["CosStorageClass"] = storage_class(given.get("CosStorageClass") or "STANDARD", maz_bucket)
    return normalise(ext)


def for_modify(current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Validate a ModifyLibrary LibraryExtension against the stored one; return the new stored extension.

    A CosStorageClass given with or without the MAZ_ prefix compares as the class the library really uses.
    """
    maz_bucket = current["CosStorageClass"].startswith("MAZ_")
    _check_values(given)
    _check_kind(given, bool(current["IsFileLibrary"]), bool(current["IsMultiSpace"]))
    for name in IMMUTABLE:
        if name not in given:
            continue
        wanted = storage_class(given[name], maz_bucket) if name == "CosStorageClass" else given[name]
        if wanted != current.get(name):
            raise _invalid(f"LibraryExtension.{name} cannot be modified after the library is created "
                           f"(current {current.get(name)!r}, requested {given[name]!r})")
    if "LibraryQuota" in given and not current.get("EnableQuota"):
        raise _invalid("LibraryExtension.LibraryQuota can only be changed on a library created with EnableQuota=true")
    merged = {k: v for k, v in current.items() if v is not None} | given
    merged["CosStorageClass"] = current["CosStorageClass"]
    return normalise(merged)
