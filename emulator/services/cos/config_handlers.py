"""COS wire handlers for bucket CORS, lifecycle and referer, and the unauthenticated OPTIONS preflight.

The XML shapes are those of the COS API pages (see bucket_config.py) and of what cos-python-sdk-v5 sends
(`format_xml` of the caller's dict) and parses (`xml_to_dict`, then lists forced for repeated elements).
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from typing import Any

from emulator.errors import CosError
from emulator.services.cos.models import CosBackend
from emulator.services.cos.render import cos_empty, cos_xml
from emulator.wire import Request, Response


def _where(req: Request) -> tuple[str, str]:
    return req.params["bucket"], req.params["region"]


def _body(req: Request, root_tag: str) -> ET.Element:
    """The parsed XML body, after the Content-MD5 check the SDK's header asks for."""
    md5 = req.headers.get("content-md5")
    if md5 and base64.b64encode(hashlib.md5(req.body).digest()).decode() != md5.strip():
        raise CosError(400, "InvalidDigest", "The Content-MD5 you specified is not valid.")
    if not req.body.strip():
        raise CosError(400, "MalformedXML", "The XML you provided was empty.")
    try:
        root = ET.fromstring(req.body)
    except ET.ParseError as exc:
        raise CosError(400, "MalformedXML", f"The XML you provided was not well-formed: {exc}") from None
    if root.tag != root_tag:
        raise CosError(400, "MalformedXML", f"The root element must be {root_tag}, not {root.tag}.")
    return root


def _texts(el: ET.Element, tag: str) -> list[str]:
    return [(c.text or "").strip() for c in el.findall(tag)]


def _text(el: ET.Element | None, tag: str) -> str | None:
    if el is None:
        return None
    found = el.find(tag)
    return None if found is None else (found.text or "").strip()


# -- CORS ------------------------------------------------------------------------------------
def put_bucket_cors(b: CosBackend, req: Request) -> Response:
    root = _body(req, "CORSConfiguration")
    rules = [{"id": _text(r, "ID") or "", "origins": _texts(r, "AllowedOrigin"), "methods": _texts(r, "AllowedMethod"),
              "headers": _texts(r, "AllowedHeader"), "expose": _texts(r, "ExposeHeader"),
              "max_age": _text(r, "MaxAgeSeconds")} for r in root.findall("CORSRule")]
    b.put_bucket_cors(req.account, *_where(req), rules)
    return cos_empty(req)


def get_bucket_cors(b: CosBackend, req: Request) -> Response:
    rules = b.get_bucket_cors(req.account, *_where(req))
    body = {"CORSRule": [{"ID": r["id"] or None, "AllowedOrigin": r["origins"], "AllowedMethod": r["methods"],
                          "AllowedHeader": r["headers"], "ExposeHeader": r["expose"], "MaxAgeSeconds": r["max_age"]}
                         for r in rules]}
    return cos_xml(req, "CORSConfiguration", body)


def delete_bucket_cors(b: CosBackend, req: Request) -> Response:
    b.delete_bucket_cors(req.account, *_where(req))
    return cos_empty(req, 204)


def options_object(b: CosBackend, req: Request) -> Response:
    requested = [h.strip() for h in req.headers.get("access-control-request-headers", "").split(",") if h.strip()]
    headers = b.options_object(*_where(req), req.headers.get("origin", ""),
                               req.headers.get("access-control-request-method", ""), requested)
    return cos_empty(req, headers=headers)


# -- lifecycle -------------------------------------------------------------------------------
def _lifecycle_rule(r: ET.Element) -> dict[str, Any]:
    filt = r.find("Filter")
    prefix = _text(filt, "Prefix") if filt is not None else None
    if prefix is None and filt is not None:
        prefix = _text(filt.find("And"), "Prefix")
    if prefix is None:
        prefix = _text(r, "Prefix")  # the older form without Filter
    exp = r.find("Expiration")
    abort = r.find("AbortIncompleteMultipartUpload")
    noncurrent = r.find("NoncurrentVersionExpiration")
    return {
        "id": _text(r, "ID") or "",
        "prefix": prefix or "",
        "status": _text(r, "Status") or "",
        "transitions": [{"days": _text(t, "Days"), "date": _text(t, "Date"),
                         "storage_class": _text(t, "StorageClass")} for t in r.findall("Transition")],
        "expiration": None if exp is None else {"days": _text(exp, "Days"), "date": _text(exp, "Date"),
                                                "delete_marker": _text(exp, "ExpiredObjectDeleteMarker")},
        "noncurrent_days": _text(noncurrent, "NoncurrentDays"),
        "abort_days": _text(abort, "DaysAfterInitiation"),
    }


def put_bucket_lifecycle(b: CosBackend, req: Request) -> Response:
    root = _body(req, "LifecycleConfiguration")
    b.put_bucket_lifecycle(req.account, *_where(req), [_lifecycle_rule(r) for r in root.findall("Rule")])
    return cos_empty(req)


def _days_or_date(part: dict[str, Any]) -> dict[str, Any]:
    return {"Days": part.get("days"), "Date": part.get("date")}


def get_bucket_lifecycle(b: CosBackend, req: Request) -> Response:
    rules = []
    for r in b.get_bucket_lifecycle(req.account, *_where(req)):
        exp = r["expiration"]
        rules.append({
            "ID": r["id"] or None,
            "Filter": {"Prefix": r["prefix"]},
            "Status": r["status"],
            "Transition": [_days_or_date(t) | {"StorageClass": t["storage_class"]} for t in r["transitions"]],
            "Expiration": None if exp is None else _days_or_date(exp)
            | {"ExpiredObjectDeleteMarker": exp.get("delete_marker")},
            "NoncurrentVersionExpiration": None if r["noncurrent_days"] is None
            else {"NoncurrentDays": r["noncurrent_days"]},
            "AbortIncompleteMultipartUpload": None if r["abort_days"] is None
            else {"DaysAfterInitiation": r["abort_days"]},
        })
    return cos_xml(req, "LifecycleConfiguration", {"Rule": rules})


def delete_bucket_lifecycle(b: CosBackend, req: Request) -> Response:
    b.delete_bucket_lifecycle(req.account, *_where(req))
    return cos_empty(req, 204)


# -- referer ---------------------------------------------------------------------------------
def put_bucket_referer(b: CosBackend, req: Request) -> Response:
    config = None
    if req.body.strip():
        root = _body(req, "RefererConfiguration")
        domains = root.find("DomainList")
        config = {"status": _text(root, "Status") or "", "type": _text(root, "RefererType") or "",
                  "domains": _texts(domains, "Domain") if domains is not None else [],
                  "empty": _text(root, "EmptyReferConfiguration") or "Deny"}
    b.put_bucket_referer(req.account, *_where(req), config)
    return cos_empty(req)


def get_bucket_referer(b: CosBackend, req: Request) -> Response:
    config = b.get_bucket_referer(req.account, *_where(req))
    body: dict[str, Any] = {}
    if config:
        body = {"Status": config["status"], "RefererType": config["type"],
                "DomainList": {"Domain": config["domains"]}, "EmptyReferConfiguration": config["empty"]}
    return cos_xml(req, "RefererConfiguration", body)
