"""Credentials, region and endpoint: read in the provider process, never stored on a provider.

Sources, first found wins:

    stack config                      environment
    tencentcloud:secretId             TENCENTCLOUD_SECRET_ID
    tencentcloud:secretKey (secret)   TENCENTCLOUD_SECRET_KEY
    tencentcloud:securityToken        TENCENTCLOUD_SECURITY_TOKEN
    tencentcloud:region               TENCENTCLOUD_REGION
    smh:endpoint                      SMH_ENDPOINT   (http://host:port of a local emulator)
    smh:operationTimeoutSeconds       SMH_OPERATION_TIMEOUT_SECONDS  (budget of one create/read/update/delete,
                                                                      retries and waits included; default 120)
    smh:debug                         SMH_DEBUG      (true: errors show the provider's Python traceback too)

The stack's own config wins; an environment variable is a default for a key the stack leaves unset (Pulumi's
convention for provider config, as pulumi-tencentcloud does for `tencentcloud:region` / TENCENTCLOUD_REGION).
`resolve_endpoint()` is that rule for the endpoint; scripts/stack.sh asks it (scripts/stack_endpoint.py) before it
starts an emulator, so `make up` starts one only where the provider will call.

`configure()` of every provider calls `load()`; the result lives in this module for the life of
the provider process (a pickled provider carries none of it into state).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from smh_provider.errors import ConfigError

KEYS = {
    "secret_id": ("tencentcloud:secretId", "TENCENTCLOUD_SECRET_ID"),
    "secret_key": ("tencentcloud:secretKey", "TENCENTCLOUD_SECRET_KEY"),
    "token": ("tencentcloud:securityToken", "TENCENTCLOUD_SECURITY_TOKEN"),
    "region": ("tencentcloud:region", "TENCENTCLOUD_REGION"),
    "endpoint": ("smh:endpoint", "SMH_ENDPOINT"),
    "operation_timeout": ("smh:operationTimeoutSeconds", "SMH_OPERATION_TIMEOUT_SECONDS"),
    "debug": ("smh:debug", "SMH_DEBUG"),
}
DEFAULT_OPERATION_TIMEOUT = 120.0


@dataclass(frozen=True)
class Settings:
    secret_id: str | None = None
    secret_key: str | None = None
    token: str | None = None
    region: str | None = None
    endpoint: str | None = None
    operation_timeout: float = DEFAULT_OPERATION_TIMEOUT
    debug: bool = False

    def __repr__(self) -> str:  # never print a key, not even by accident
        sid = (self.secret_id[:4] + "…") if self.secret_id else None
        return f"Settings(secret_id={sid!r}, region={self.region!r}, endpoint={self.endpoint!r})"

    __str__ = __repr__

    def missing_credentials(self) -> str | None:
        """A message naming every way to supply what is missing, or None."""
        missing = [name for name in ("secret_id", "secret_key") if not getattr(self, name)]
        if not missing:
            return None
        ways = "; ".join(f"stack config '{KEYS[m][0]}' or environment variable {KEYS[m][1]}" for m in missing)
        return f"Tencent Cloud credentials are missing: set {ways}"

    def missing_key(self) -> str | None:
        """The stack config key of the first missing credential (the property a check failure names)."""
        return next((KEYS[m][0] for m in ("secret_id", "secret_key") if not getattr(self, m)), None)

    def require(self) -> Settings:
        problem = self.missing_credentials()
        if problem:
            raise ConfigError(problem)
        return self


def _short_key(full: str) -> str:
    return full.split(":", 1)[1]


def load(config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from stack config (full keys like 'tencentcloud:secretId') with environment fallback."""
    config = config or {}
    environ = os.environ if environ is None else environ
    values: dict[str, str | None] = {}
    for name, (cfg_key, env_key) in KEYS.items():
        if name == "endpoint":
            continue
        raw = config.get(cfg_key)
        value = raw if raw not in (None, "") else environ.get(env_key) or None
        values[name] = str(value) if value is not None else None
    values["endpoint"], _ = resolve_endpoint(config, environ)
    timeout = values.pop("operation_timeout")
    debug = values.pop("debug")
    return Settings(**values, operation_timeout=_seconds(timeout), debug=_flag(debug))


def _seconds(raw: str | None) -> float:
    if raw is None:
        return DEFAULT_OPERATION_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 86400:
        raise ConfigError(f"smh:operationTimeoutSeconds / SMH_OPERATION_TIMEOUT_SECONDS must be a number of seconds "
                          f"from 1 to 86400, got {raw[:40]!r}")
    return value


def _flag(raw: str | None) -> bool:
    if raw is None:
        return False
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"smh:debug / SMH_DEBUG must be true or false, got {raw[:40]!r}")


def resolve_endpoint(config: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The one endpoint rule: a non-empty `smh:endpoint` in the stack's config wins; `SMH_ENDPOINT` counts only
    when the stack sets none. Returns (http://host:port or None for real Tencent Cloud, the key it came from)."""
    cfg_key, env_key = KEYS["endpoint"]
    raw = config.get(cfg_key)
    if raw is None:  # some engines hand the namespace-less key to the provider
        raw = config.get(_short_key(cfg_key))
    if raw not in (None, ""):
        endpoint, source = str(raw), cfg_key
    elif environ.get(env_key):
        endpoint, source = environ[env_key], env_key
    else:
        return None, None
    parts = urlsplit(endpoint)
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = None
    if parts.scheme != "http" or not parts.hostname or not port or parts.path not in ("", "/"):
        raise ConfigError(
            f"smh:endpoint / SMH_ENDPOINT must look like http://127.0.0.1:4566 (scheme http, host, port), "
            f"got {endpoint!r} from {source}"
        )
    return f"http://{parts.hostname}:{port}", source


_lock = threading.Lock()
_current: Settings | None = None
_config_error: str | None = None


def set_config_error(message: str | None) -> None:
    """Remember a configuration problem found in configure(), to report it from check()."""
    global _config_error
    with _lock:
        _config_error = message


def config_error() -> str | None:
    with _lock:
        return _config_error


def config_error_key() -> str:
    """The stack config key a configuration problem is about (its message starts with it)."""
    problem = config_error() or ""
    return next((cfg for cfg, _ in KEYS.values() if problem.startswith(cfg)), KEYS["secret_id"][0])


def set_current(settings: Settings) -> None:
    global _current, _config_error
    with _lock:
        _current = settings
        _config_error = None


def current() -> Settings:
    """The provider process's settings; loaded from the environment if configure() never ran."""
    global _current
    with _lock:
        if _current is None:
            _current = load()
        return _current


SECRET_CONFIG_KEYS = ("tencentcloud:secretKey", "tencentcloud:securityToken")


def plain_secret_warning(config: Mapping[str, Any], secret_keys: Iterable[str], stack: str) -> str | None:
    """Called by the program (which, unlike the provider, can tell a secret config value from a plain one).

    A plain `tencentcloud:secretKey` is stored as is in the stack file and in every update's history: say how to
    make it a secret. None when every such key is a secret or absent.
    """
    plain = [k for k in SECRET_CONFIG_KEYS if config.get(k) and k not in set(secret_keys)]
    if not plain:
        return None
    return (f"{' and '.join(plain)} {'is' if len(plain) == 1 else 'are'} plain text in the config of stack {stack!r}: "
            "it is stored as is in stacks/Pulumi.<stack>.yaml and in the stack's update history. Make it a secret: "
            + "; ".join(f"`bin/pulumi config set --secret {k} <value> --stack {stack}`" for k in plain)
            + " (or remove it from the stack and export "
            + ", ".join(v for _, (k, v) in KEYS.items() if k in plain) + " instead)")
