"""COS bucket sub-settings: CORS, lifecycle and referer (hotlink protection), stored and acted on.

Sources (emulator/README.md, "Bucket CORS, lifecycle, referer"): PUT/GET/DELETE Bucket cors (COS API 436/8279,
8274, 8283), OPTIONS Object (436/8288), PUT/GET/DELETE Bucket lifecycle (436/8280, 8278, 8284), PUT/GET Bucket
referer (436/32492, 30615) and the hotlink-protection guide (436/13319). Each configuration lives in the bucket's
document, so it goes with the bucket. Handlers (config_handlers.py) parse the XML; these methods validate and act.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import datetime
from typing import Any

from emulator.accounts import Account
from emulator.errors import CosError

CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
MAX_CORS_RULES = 100
MAX_LIFECYCLE_RULES = 1000
MAX_REFERER_DOMAINS = 10  # the console's limit (436/13319); the API page gives none
STORAGE_CLASSES = ("STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "INTELLIGENT_TIERING", "MAZ_STANDARD_IA",
                   "MAZ_INTELLIGENT_TIERING")
DAY = 86400.0
LIFECYCLE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00(?:\.000)?(?:Z|[+-]\d{2}:\d{2})$")


def _bad(code: str, message: str, res: str, status: int = 400) -> CosError:
    return CosError(status, code, message, res)


def cors_match(rule: dict[str, Any], origin: str, method: str, headers: list[str]) -> bool:
    """Origin glob (`*` anywhere), method listed, and every requested header allowed (case-insensitive)."""
    if not any(fnmatch.fnmatchcase(origin, o) for o in rule["origins"]):
        return False
    if method not in rule["methods"]:
        return False
    allowed = [h.lower() for h in rule["headers"]]
    return all(any(fnmatch.fnmatchcase(h.lower(), a) for a in allowed) for h in headers)


def referer_hit(referer: str, domains: list[str]) -> bool:
    """Prefix match without the scheme; `*.example.com` also covers example.com itself (436/13319)."""
    bare = re.sub(r"^[a-z]+://", "", referer.strip(), flags=re.I)
    for domain in domains:
        d = re.sub(r"^[a-z]+://", "", domain.strip(), flags=re.I)
        if d.startswith("*."):
            host = bare.split("/", 1)[0]
            base = d[2:].split("/", 1)[0]
            if host == base or host.endswith("." + base) or fnmatch.fnmatchcase(bare, d + "*"):
                return True
        elif bare.startswith(d):
            return True
    return False


class BucketConfigActions:
    """Mixin of CosBackend: needs `self.store`, `self.ctx` and `self._owned`."""

    store: Any
    ctx: Any

    def _owned(self, account: Account, bucket: str, region: str, res: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def _res(self, bucket: str, region: str) -> str:
        return f"{bucket}.cos.{region}.myqcloud.com"

    def _set(self, account: Account, bucket: str, region: str, field: str, value: Any) -> None:
        with self.store.transaction():
            doc = self._owned(account, bucket, region)
            if value is None:
                doc.pop(field, None)
            else:
                doc[field] = value
            self.store.put("bucket", bucket, doc)

    # -- CORS --------------------------------------------------------------------------------
    def put_bucket_cors(self, account: Account, bucket: str, region: str, rules: list[dict[str, Any]]) -> None:
        """Replace the bucket's CORS rules.

        Fidelity gap: the limits and codes are the emulator's reading of the docs, not observed answers: no rule,
        more than 100 rules, a rule without AllowedOrigin or AllowedMethod answer 400 MalformedXML; a method
        outside GET/PUT/POST/DELETE/HEAD, a MaxAgeSeconds that is not a whole number >= 0, an origin with more
        than one `*`, or a duplicate ID answer 400 InvalidArgument.
        """
        res = self._res(bucket, region)
        if not rules or len(rules) > MAX_CORS_RULES:
            raise _bad("MalformedXML", f"A CORS configuration has 1 to {MAX_CORS_RULES} CORSRule elements.", res)
        ids = [r["id"] for r in rules if r["id"]]
        if len(ids) != len(set(ids)):
            raise _bad("InvalidArgument", "CORSRule IDs must be unique.", res)
        for rule in rules:
            if not rule["origins"] or not rule["methods"]:
                raise _bad("MalformedXML", "Each CORSRule needs AllowedOrigin and AllowedMethod.", res)
            bad = [m for m in rule["methods"] if m not in CORS_METHODS]
            if bad:
                raise _bad("InvalidArgument", f"Unsupported AllowedMethod {bad[0]!r}; use {', '.join(CORS_METHODS)}.",
                           res)
            if any(o.count("*") > 1 for o in rule["origins"]):
                raise _bad("InvalidArgument", "An AllowedOrigin may contain at most one '*'.", res)
            age = rule["max_age"]
            if age is not None and (not age.isdigit()):
                raise _bad("InvalidArgument", f"MaxAgeSeconds {age!r} is not a whole number of seconds.", res)
        self._set(account, bucket, region, "cors", rules)

    def _configured(self, account: Account, bucket: str, region: str, field: str, code: str, what: str) -> Any:
        """The bucket's `field` setting; 404 `code` when it has none."""
        doc = self._owned(account, bucket, region)
        if not doc.get(field):
            raise _bad(code, f"The {what} configuration does not exist.", self._res(bucket, region), 404)
        return doc[field]

    def get_bucket_cors(self, account: Account, bucket: str, region: str) -> list[dict[str, Any]]:
        return self._configured(account, bucket, region, "cors", "NoSuchCORSConfiguration", "CORS")

    def delete_bucket_cors(self, account: Account, bucket: str, region: str) -> None:
        """Fidelity gap: deleting when there is no CORS configuration succeeds (204), as S3 does; COS's docs list
        no error for it."""
        self._set(account, bucket, region, "cors", None)

    def options_object(self, bucket: str, region: str, origin: str, method: str,
                       headers: list[str]) -> dict[str, str]:
        """A browser's preflight, unauthenticated: the Access-Control-* headers of the first matching rule.

        Fidelity gap: a bucket without CORS rules, a missing Origin or Access-Control-Request-Method, or no
        matching rule answer 403 with code AccessForbidden (the docs give the status, not the code: the code is S3's).
        Access-Control-Allow-Headers echoes the requested headers (lower-cased); Allow-Methods lists the rule's
        methods; Vary: Origin is always sent. A bucket that does not exist answers 404 NoSuchBucket.
        """
        res = self._res(bucket, region)
        doc = self.store.get("bucket", bucket)
        if doc is None or doc["region"] != region:
            raise _bad("NoSuchBucket", "The specified bucket does not exist.", res, 404)
        forbidden = _bad("AccessForbidden", "CORSResponse: This CORS request is not allowed. The Origin, "
                         "Access-Control-Request-Method or Access-Control-Request-Headers match no CORS rule "
                         "of the bucket.", res, 403)
        if not origin or not method:
            raise forbidden
        for rule in doc.get("cors") or []:
            if cors_match(rule, origin, method, headers):
                return self._cors_headers(rule, origin, headers)
        raise forbidden

    def cors_response_headers(self, doc: dict[str, Any], origin: str, method: str) -> dict[str, str]:
        """Headers an actual cross-origin request (with Origin) gets back when a rule allows it, else none."""
        for rule in doc.get("cors") or []:
            if cors_match(rule, origin, method, []):
                out = self._cors_headers(rule, origin, [])
                out.pop("Access-Control-Max-Age", None)
                return out
        return {}

    @staticmethod
    def _cors_headers(rule: dict[str, Any], origin: str, headers: list[str]) -> dict[str, str]:
        out = {"Access-Control-Allow-Origin": "*" if rule["origins"] == ["*"] else origin,
               "Access-Control-Allow-Methods": ",".join(rule["methods"]), "Vary": "Origin"}
        if headers:
            out["Access-Control-Allow-Headers"] = ",".join(h.lower() for h in headers)
        if rule["expose"]:
            out["Access-Control-Expose-Headers"] = ",".join(rule["expose"])
        if rule["max_age"] is not None:
            out["Access-Control-Max-Age"] = rule["max_age"]
        return out

    # -- lifecycle ---------------------------------------------------------------------------
    def put_bucket_lifecycle(self, account: Account, bucket: str, region: str, rules: list[dict[str, Any]]) -> None:
        """Replace the bucket's lifecycle rules.

        Documented (436/8280): at most 1000 rules; Days and Date must not both appear in one rule. Fidelity gap:
        the codes are the emulator's choice: no rule, a rule without Status Enabled|Disabled or without any
        action answer 400 MalformedXML; Days and Date in one rule, a Days that is not a whole number >= 1 (>= 0
        for Expiration/Transition by Date), a Date not at midnight in ISO 8601, an unknown StorageClass, a
        duplicate ID answer 400 InvalidArgument.
        """
        res = self._res(bucket, region)
        if not rules or len(rules) > MAX_LIFECYCLE_RULES:
            raise _bad("MalformedXML", f"A lifecycle configuration has 1 to {MAX_LIFECYCLE_RULES} Rule elements.",
                       res)
        ids = [r["id"] for r in rules if r["id"]]
        if len(ids) != len(set(ids)):
            raise _bad("InvalidArgument", "Rule IDs must be unique.", res)
        for rule in rules:
            where = f"Rule {rule['id'] or '(no ID)'}"
            if rule["status"] not in ("Enabled", "Disabled"):
                raise _bad("MalformedXML", f"{where}: Status must be Enabled or Disabled.", res)
            actions = [rule.get(k) for k in ("expiration", "abort_days", "noncurrent_days")] + rule["transitions"]
            if not any(a is not None for a in actions):
                raise _bad("MalformedXML", f"{where} has no action.", res)
            forms = {("days" if t.get("days") is not None else "date") for t in rule["transitions"]
                     if t.get("days") is not None or t.get("date") is not None}
            exp = rule.get("expiration") or {}
            forms |= {k for k in ("days", "date") if exp.get(k) is not None}
            if len(forms) > 1:
                raise _bad("InvalidArgument", f"{where}: Days and Date cannot both be used in one lifecycle rule; "
                           "put them in two rules.", res)
            for part in [exp, *rule["transitions"]]:
                if part.get("days") is not None and (not part["days"].isdigit() or int(part["days"]) < 1):
                    raise _bad("InvalidArgument", f"{where}: Days must be a whole number of at least 1.", res)
                if part.get("date") is not None and not LIFECYCLE_DATE.match(part["date"]):
                    raise _bad("InvalidArgument", f"{where}: Date must be midnight in ISO 8601, e.g. "
                               "2027-01-01T00:00:00+08:00.", res)
            for t in rule["transitions"]:
                if t.get("storage_class") not in STORAGE_CLASSES:
                    raise _bad("InvalidArgument", f"{where}: unknown StorageClass {t.get('storage_class')!r}.", res)
            for key in ("abort_days", "noncurrent_days"):
                if rule.get(key) is not None and (not rule[key].isdigit() or int(rule[key]) < 1):
                    raise _bad("InvalidArgument", f"{where}: days must be a whole number of at least 1.", res)
        self._set(account, bucket, region, "lifecycle", rules)

    def get_bucket_lifecycle(self, account: Account, bucket: str, region: str) -> list[dict[str, Any]]:
        return self._configured(account, bucket, region, "lifecycle", "NoSuchLifecycleConfiguration", "lifecycle")

    def delete_bucket_lifecycle(self, account: Account, bucket: str, region: str) -> None:
        """404 NoSuchLifecycleConfiguration when there is none (436/8284 says so)."""
        with self.store.transaction():
            self.get_bucket_lifecycle(account, bucket, region)
            self._set(account, bucket, region, "lifecycle", None)

    def apply_lifecycle(self, now: float) -> dict[str, int]:
        """Run every enabled rule once at emulated time `now` (the control endpoint POST /_emulator/clock).

        Fidelity gap: COS runs lifecycle asynchronously (about daily); the emulator runs it only when its clock is
        advanced. AbortIncompleteMultipartUpload and Expiration (Days from the last modification, or Date) are
        applied to keys under the rule's prefix; transitions and noncurrent-version actions are stored and shown
        but do nothing (objects stay STANDARD, versioning is not emulated); tag and size filters are not stored.
        """
        aborted = expired = 0
        with self.store.transaction():
            for name, doc in self.store.items("bucket"):
                for rule in doc.get("lifecycle") or []:
                    if rule["status"] != "Enabled":
                        continue
                    prefix = rule["prefix"]
                    if rule.get("abort_days") is not None:
                        limit = now - int(rule["abort_days"]) * DAY
                        for key, up in self.store.items("upload", f"{name}/"):
                            if up["key"].startswith(prefix) and up["initiated"] <= limit:
                                self.store.delete("upload", key)
                                aborted += 1
                    exp = rule.get("expiration") or {}
                    if exp.get("days") is not None or exp.get("date") is not None:
                        for key, obj in self.store.items("object", f"{name}/{prefix}"):
                            if _expired(exp, obj["modified"], now):
                                self.store.delete("object", key)
                                expired += 1
        return {"aborted_uploads": aborted, "expired_objects": expired}

    # -- referer -----------------------------------------------------------------------------
    def put_bucket_referer(self, account: Account, bucket: str, region: str, config: dict[str, Any] | None) -> None:
        """Set hotlink protection; an empty body (what the SDK's delete_bucket_referer sends) removes it.

        Fidelity gap: a Status other than Enabled|Disabled, a RefererType other than White-List|Black-List, or an
        EmptyReferConfiguration other than Allow|Deny answer 400 MalformedXML; more than 10 domains answer 400
        InvalidArgument (the limit is the console's); the API's own answers are not documented.
        """
        res = self._res(bucket, region)
        if config is not None:
            if config["status"] not in ("Enabled", "Disabled"):
                raise _bad("MalformedXML", "Status must be Enabled or Disabled.", res)
            if config["type"] not in ("White-List", "Black-List"):
                raise _bad("MalformedXML", "RefererType must be White-List or Black-List.", res)
            if config["empty"] not in ("Allow", "Deny"):
                raise _bad("MalformedXML", "EmptyReferConfiguration must be Allow or Deny.", res)
            if len(config["domains"]) > MAX_REFERER_DOMAINS:
                raise _bad("InvalidArgument", f"At most {MAX_REFERER_DOMAINS} referer domains.", res)
        self._set(account, bucket, region, "referer", config)

    def get_bucket_referer(self, account: Account, bucket: str, region: str) -> dict[str, Any] | None:
        """Fidelity gap: with no configuration the answer is 200 with an empty RefererConfiguration (what the
        real service answers is not documented)."""
        return self._owned(account, bucket, region).get("referer")

    @staticmethod
    def referer_allows(doc: dict[str, Any], referer: str) -> bool:
        """Whether hotlink protection lets an unsigned request with this Referer through (436/13319)."""
        config = doc.get("referer")
        if not config or config["status"] != "Enabled":
            return True
        if not referer.strip():
            return config["empty"] == "Allow"
        hit = referer_hit(referer, config["domains"])
        return hit if config["type"] == "White-List" else not hit


def _expired(exp: dict[str, Any], modified: float, now: float) -> bool:
    if exp.get("days") is not None:
        return now - modified >= int(exp["days"]) * DAY
    return now >= datetime.fromisoformat(exp["date"].replace("Z", "+00:00")).timestamp()
