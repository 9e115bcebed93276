"""Rules of the bucket sub-settings (BucketCors, BucketLifecycle, BucketReferer): canonical forms and preview checks.

Pure functions, so the preview checks and the canonical form that diff and refresh compare are one code path.
Each `check_*` returns problems as messages naming the rule's index and property; `canonical_*` fills defaults and
normalises what the wire changes (numbers as floats, method case), so a read of the cloud compares equal.
Limits are COS's (emulator/README.md, "Bucket CORS, lifecycle, referer: the fact sheet").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

CORS_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD")
MAX_CORS_RULES = 100
MAX_LIFECYCLE_RULES = 1000
MAX_REFERER_DOMAINS = 10
MAX_AGE_LIMIT = 2147483647
STORAGE_CLASSES = ("STANDARD_IA", "ARCHIVE", "DEEP_ARCHIVE", "INTELLIGENT_TIERING", "MAZ_STANDARD_IA",
                   "MAZ_INTELLIGENT_TIERING")
# scheme://host[:port] with at most one '*' anywhere (COS allows it in scheme, host and port), or '*' alone.
ORIGIN = re.compile(r"^(\*|[a-z*][a-z0-9+.*-]*://[A-Za-z0-9*.-]+(:(\d{1,5}|\*))?)$")
HEADER = re.compile(r"^[A-Za-z0-9*!#$%&'+.^_`|~-]+$")
LIFECYCLE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00(?:\.000)?(?:Z|[+-]\d{2}:\d{2})$")
CORS_KEYS = {"id", "allowed_origins", "allowed_methods", "allowed_headers", "expose_headers", "max_age_seconds"}
LIFECYCLE_KEYS = {"id", "prefix", "enabled", "expiration_days", "expiration_date", "transitions",
                  "abort_incomplete_upload_days", "noncurrent_expiration_days"}
TRANSITION_KEYS = {"days", "date", "storage_class"}


def _int(value: Any) -> Any:
    """Whole floats (the wire's numbers) and digit strings become ints; anything else is left for the checks."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _strings(value: Any) -> Any:
    return list(value) if isinstance(value, (list, tuple)) else value


# -- CORS ------------------------------------------------------------------------------------------
def canonical_cors(rules: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rules:
        methods = _strings(r.get("allowed_methods") or [])
        out.append({
            "id": r.get("id") or "",
            "allowed_origins": _strings(r.get("allowed_origins") or []),
            "allowed_methods": [m.upper() if isinstance(m, str) else m for m in methods]
            if isinstance(methods, list) else methods,
            "allowed_headers": _strings(r.get("allowed_headers") or []),
            "expose_headers": _strings(r.get("expose_headers") or []),
            "max_age_seconds": _int(r.get("max_age_seconds")),
        })
    return out


def _list_problems(rules: list[dict[str, Any]], kind: str, limit: int) -> list[str]:
    """Problems of a non-empty rule list as a whole: how many rules, and ids unique (rules without an id aside)."""
    problems: list[str] = []
    if len(rules) > limit:
        problems.append(f"rules has {len(rules)} {kind} rules; COS allows at most {limit}")
    ids = [r["id"] for r in rules if r["id"]]
    if len(ids) != len(set(ids)):
        problems.append("rules: each id must be unique")
    return problems


def _unknown_keys(at: str, declared: Mapping[str, Any], known: set[str]) -> list[str]:
    unknown = sorted(set(declared) - known)
    return [f"{at} has unknown key(s) {unknown}; known: {sorted(known)}"] if unknown else []


def check_cors(rules: list[dict[str, Any]], raw: list[Mapping[str, Any]]) -> list[str]:
    """Problems of canonical CORS rules (raw: as declared, for unknown keys)."""
    if not rules:
        return ["rules must hold at least one CORS rule (delete the BucketCors to remove the configuration)"]
    problems = _list_problems(rules, "CORS", MAX_CORS_RULES)
    for i, (r, declared) in enumerate(zip(rules, raw, strict=True)):
        at = f"rules[{i}]"
        problems += _unknown_keys(at, declared, CORS_KEYS)
        for key in ("allowed_origins", "allowed_methods", "allowed_headers", "expose_headers"):
            if not isinstance(r[key], list) or not all(isinstance(v, str) for v in r[key]):
                problems.append(f"{at}.{key} must be a list of strings")
        if problems and any(p.startswith(at + ".") for p in problems):
            continue
        if not r["allowed_origins"]:
            problems.append(f"{at}.allowed_origins must list at least one origin")
        for origin in r["allowed_origins"]:
            if not ORIGIN.match(origin) or origin.count("*") > 1:
                problems.append(f"{at}.allowed_origins {origin!r} must be scheme://host[:port] (no path, no "
                                "trailing '/'), with at most one '*', or '*' alone, e.g. https://app.example.com")
        if not r["allowed_methods"]:
            problems.append(f"{at}.allowed_methods must list at least one method")
        bad = [m for m in r["allowed_methods"] if m not in CORS_METHODS]
        if bad:
            problems.append(f"{at}.allowed_methods {bad[0]!r} is not a COS CORS method; use {', '.join(CORS_METHODS)}")
        for key in ("allowed_headers", "expose_headers"):
            bad = [h for h in r[key] if not HEADER.match(h)]
            if bad:
                problems.append(f"{at}.{key} {bad[0]!r} is not a header name (one name per entry, no spaces or commas)")
        age = r["max_age_seconds"]
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE_LIMIT):
            problems.append(f"{at}.max_age_seconds {age!r} must be a whole number of seconds from 0 to {MAX_AGE_LIMIT}")
        if not isinstance(r["id"], str) or len(r["id"]) > 255:
            problems.append(f"{at}.id must be a string of at most 255 characters")
    return problems


# -- lifecycle -------------------------------------------------------------------------------------
def canonical_lifecycle(rules: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for i, r in enumerate(rules):
        transitions = r.get("transitions") or []
        out.append({
            "id": r.get("id") or f"rule-{i + 1}",
            "prefix": r.get("prefix") or "",
            "enabled": r.get("enabled", True) is not False,
            "expiration_days": _int(r.get("expiration_days")),
            "expiration_date": r.get("expiration_date"),
            "transitions": [{"days": _int(t.get("days")), "date": t.get("date"),
                             "storage_class": t.get("storage_class")} for t in transitions if isinstance(t, Mapping)]
            if isinstance(transitions, list) else transitions,
            "abort_incomplete_upload_days": _int(r.get("abort_incomplete_upload_days")),
            "noncurrent_expiration_days": _int(r.get("noncurrent_expiration_days")),
        })
    return out


def moves_files(rule: Mapping[str, Any]) -> bool:
    """Whether a rule deletes or moves objects (expiration, transition, noncurrent expiration)."""
    return (rule["expiration_days"] is not None or rule["expiration_date"] is not None or bool(rule["transitions"])
            or rule["noncurrent_expiration_days"] is not None)


def check_lifecycle(rules: list[dict[str, Any]], raw: list[Mapping[str, Any]], allow_smh_paths: bool) -> list[str]:
    if not rules:
        return ["the lifecycle has no rule: keep abort_incomplete_upload_days or declare rules"]
    problems = _list_problems(rules, "lifecycle", MAX_LIFECYCLE_RULES)
    for i, (r, declared) in enumerate(zip(rules, raw, strict=True)):
        at = f"rules[{i}] ({r['id']})"
        unknown = _unknown_keys(at, declared, LIFECYCLE_KEYS)
        if unknown:
            problems += unknown
            continue
        if not isinstance(r["transitions"], list):
            problems.append(f"{at}.transitions must be a list of {{days or date, storage_class}}")
            continue
        if not moves_files(r) and r["abort_incomplete_upload_days"] is None:
            problems.append(f"{at} has no action: set expiration_days/_date, transitions, "
                            "abort_incomplete_upload_days or noncurrent_expiration_days")
        forms = {"days" for t in r["transitions"] if t["days"] is not None}
        forms |= {"date" for t in r["transitions"] if t["date"] is not None}
        forms |= {"days"} if r["expiration_days"] is not None else set()
        forms |= {"date"} if r["expiration_date"] is not None else set()
        if len(forms) > 1:
            problems.append(f"{at} mixes dates and days: COS refuses Days and Date in one lifecycle rule "
                            "(PUT Bucket lifecycle); split it into one rule with days and one with dates")
        for name, value in [("expiration_days", r["expiration_days"]),
                            ("abort_incomplete_upload_days", r["abort_incomplete_upload_days"]),
                            ("noncurrent_expiration_days", r["noncurrent_expiration_days"])] + [
                                (f"transitions[{j}].days", t["days"]) for j, t in enumerate(r["transitions"])]:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36500):
                problems.append(f"{at}.{name} {value!r} must be a whole number of days from 1 to 36500")
        for name, value in [("expiration_date", r["expiration_date"])] + [
                (f"transitions[{j}].date", t["date"]) for j, t in enumerate(r["transitions"])]:
            if value is not None and (not isinstance(value, str) or not LIFECYCLE_DATE.match(value)):
                problems.append(f"{at}.{name} {value!r} must be midnight in ISO 8601, e.g. 2027-01-01T00:00:00+08:00")
        for j, t in enumerate(r["transitions"]):
            if t["days"] is None and t["date"] is None:
                problems.append(f"{at}.transitions[{j}] needs days or date")
            if t["storage_class"] not in STORAGE_CLASSES:
                problems.append(f"{at}.transitions[{j}].storage_class {t['storage_class']!r} must be one of "
                                f"{', '.join(STORAGE_CLASSES)}")
        if moves_files(r) and not allow_smh_paths:
            problems.append(
                f"{at} would expire or move objects under prefix {r['prefix']!r} of a bucket that holds an SMH "
                "library: SMH picks the object keys of library files itself (the layout is not documented), so any "
                "prefix may hold them and COS would delete or move them behind SMH's back. Set allow_smh_paths=True "
                "only if that prefix holds no library files.")
        if not isinstance(r["prefix"], str):
            problems.append(f"{at}.prefix must be a string")
    return problems


# -- referer ---------------------------------------------------------------------------------------
def check_domains(domains: list[str]) -> list[str]:
    problems = []
    if not domains:
        problems.append("domains must list at least one domain (delete the BucketReferer to switch it off)")
    if len(domains) > MAX_REFERER_DOMAINS:
        problems.append(f"domains has {len(domains)} entries; COS allows at most {MAX_REFERER_DOMAINS}")
    for d in domains:
        if not d.strip() or " " in d or "," in d:
            problems.append(f"domains entry {d!r} must be one domain, IP or prefix (e.g. *.example.com, "
                            "example.com:8080), without spaces or commas")
    return problems
