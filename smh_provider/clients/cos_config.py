"""Bucket CORS, lifecycle and referer through cos-python-sdk-v5: Python values in and out, retries inside.

Each function takes and returns the canonical forms of smh_provider/resources/bucket_rules.py. `find_*` returns
the configuration or raises NotFound: its code says whether the configuration (NoSuchCORSConfiguration, ...) or the
bucket (NoSuchBucket) is missing. All calls are idempotent (a PUT replaces the whole configuration), so `cos.call`
retries them under the one retry policy as they are; a delete of a configuration that is not there is done.
"""

from __future__ import annotations

from typing import Any

from qcloud_cos import CosS3Client

from smh_provider.clients.cos import call
from smh_provider.errors import NotFound

NO_CORS = "NoSuchCORSConfiguration"
NO_LIFECYCLE = "NoSuchLifecycleConfiguration"
NO_REFERER = "NoSuchRefererConfiguration"  # the provider's own code: COS's answer for none set is undocumented


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _retried(fn: Any, doing: str) -> Any:
    return call(fn, doing)  # cos.call runs it under the one retry policy (every call here is idempotent)


def _gone_is_done(fn: Any, doing: str, code: str) -> None:
    """A delete: done when the configuration (not the bucket) is not there."""
    try:
        _retried(fn, doing)
    except NotFound as err:
        if err.code != code:
            raise


def _none(code: str, what: str, bucket: str, doing: str) -> NotFound:
    return NotFound(code, f"bucket {bucket} has no {what}", "", 404, doing)


# -- CORS ------------------------------------------------------------------------------------------
def put_cors(c: CosS3Client, bucket: str, rules: list[dict[str, Any]]) -> None:
    body = {"CORSRule": [{
        **({"ID": r["id"]} if r["id"] else {}),
        "AllowedOrigin": r["allowed_origins"], "AllowedMethod": r["allowed_methods"],
        **({"AllowedHeader": r["allowed_headers"]} if r["allowed_headers"] else {}),
        **({"ExposeHeader": r["expose_headers"]} if r["expose_headers"] else {}),
        **({"MaxAgeSeconds": r["max_age_seconds"]} if r["max_age_seconds"] is not None else {}),
    } for r in rules]}
    _retried(lambda: c.put_bucket_cors(Bucket=bucket, CORSConfiguration=body), f"setting the CORS rules of {bucket}")


def find_cors(c: CosS3Client, bucket: str) -> list[dict[str, Any]]:
    doing = f"reading the CORS rules of {bucket}"
    data = _retried(lambda: c.get_bucket_cors(Bucket=bucket), doing)
    out = []
    for r in _list(data.get("CORSRule")):
        age = r.get("MaxAgeSeconds")
        out.append({"id": r.get("ID") or "", "allowed_origins": _list(r.get("AllowedOrigin")),
                    "allowed_methods": [m.upper() for m in _list(r.get("AllowedMethod"))],
                    "allowed_headers": _list(r.get("AllowedHeader")), "expose_headers": _list(r.get("ExposeHeader")),
                    "max_age_seconds": int(age) if age not in (None, "") else None})
    if not out:
        raise _none(NO_CORS, "CORS rules", bucket, doing)
    return out


def delete_cors(c: CosS3Client, bucket: str) -> None:
    _gone_is_done(lambda: c.delete_bucket_cors(Bucket=bucket), f"deleting the CORS rules of {bucket}", NO_CORS)


# -- lifecycle -------------------------------------------------------------------------------------
def _when(days: int | None, date: str | None) -> dict[str, Any]:
    return {"Days": days} if days is not None else ({"Date": date} if date is not None else {})


def put_lifecycle(c: CosS3Client, bucket: str, rules: list[dict[str, Any]]) -> None:
    out = []
    for r in rules:
        rule: dict[str, Any] = {"ID": r["id"], "Filter": {"Prefix": r["prefix"]},
                                "Status": "Enabled" if r["enabled"] else "Disabled"}
        if r["transitions"]:
            rule["Transition"] = [_when(t["days"], t["date"]) | {"StorageClass": t["storage_class"]}
                                  for t in r["transitions"]]
        if r["expiration_days"] is not None or r["expiration_date"] is not None:
            rule["Expiration"] = _when(r["expiration_days"], r["expiration_date"])
        if r["noncurrent_expiration_days"] is not None:
            rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": r["noncurrent_expiration_days"]}
        if r["abort_incomplete_upload_days"] is not None:
            rule["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": r["abort_incomplete_upload_days"]}
        out.append(rule)
    _retried(lambda: c.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rule": out}),
             f"setting the lifecycle rules of {bucket}")


def _days(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def find_lifecycle(c: CosS3Client, bucket: str) -> list[dict[str, Any]]:
    doing = f"reading the lifecycle rules of {bucket}"
    data = _retried(lambda: c.get_bucket_lifecycle(Bucket=bucket), doing)
    out = []
    for r in _list(data.get("Rule")):
        filt = r.get("Filter") or {}
        prefix = filt.get("Prefix") if "Prefix" in filt else (filt.get("And") or {}).get("Prefix", r.get("Prefix"))
        exp = r.get("Expiration") or {}
        out.append({
            "id": r.get("ID") or "", "prefix": prefix or "", "enabled": r.get("Status") == "Enabled",
            "expiration_days": _days(exp.get("Days")), "expiration_date": exp.get("Date") or None,
            "transitions": [{"days": _days(t.get("Days")), "date": t.get("Date") or None,
                             "storage_class": t.get("StorageClass")} for t in _list(r.get("Transition"))],
            "abort_incomplete_upload_days": _days((r.get("AbortIncompleteMultipartUpload") or {})
                                                  .get("DaysAfterInitiation")),
            "noncurrent_expiration_days": _days((r.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")),
        })
    if not out:
        raise _none(NO_LIFECYCLE, "lifecycle rules", bucket, doing)
    return out


def delete_lifecycle(c: CosS3Client, bucket: str) -> None:
    _gone_is_done(lambda: c.delete_bucket_lifecycle(Bucket=bucket), f"deleting the lifecycle rules of {bucket}",
                  NO_LIFECYCLE)


# -- referer ---------------------------------------------------------------------------------------
def put_referer(c: CosS3Client, bucket: str, config: dict[str, Any]) -> None:
    body = {"Status": "Enabled" if config["enabled"] else "Disabled", "RefererType": config["referer_type"],
            "DomainList": {"Domain": config["domains"]},
            "EmptyReferConfiguration": "Allow" if config["allow_empty_referer"] else "Deny"}
    _retried(lambda: c.put_bucket_referer(Bucket=bucket, RefererConfiguration=body),
             f"setting the referer rules of {bucket}")


def find_referer(c: CosS3Client, bucket: str) -> dict[str, Any]:
    """NotFound (NO_REFERER) when hotlink protection was never set: COS's answer for that is undocumented, so both
    an empty configuration and a 404 of any other NoSuch* code than NoSuchBucket count as none."""
    doing = f"reading the referer rules of {bucket}"
    try:
        data = _retried(lambda: c.get_bucket_referer(Bucket=bucket), doing) or {}
    except NotFound as err:
        if err.code.startswith("NoSuch") and err.code != "NoSuchBucket":
            raise _none(NO_REFERER, "referer rules", bucket, doing) from None
        raise
    if not isinstance(data.get("Status"), str):
        raise _none(NO_REFERER, "referer rules", bucket, doing)
    return {"enabled": data["Status"] == "Enabled", "referer_type": data.get("RefererType") or "",
            "domains": _list((data.get("DomainList") or {}).get("Domain")),
            "allow_empty_referer": data.get("EmptyReferConfiguration", "Deny") == "Allow"}


def delete_referer(c: CosS3Client, bucket: str) -> None:
    _retried(lambda: c.delete_bucket_referer(Bucket=bucket), f"deleting the referer rules of {bucket}")
