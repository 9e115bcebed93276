"""HTTP front door: parse, route by Host, inject faults, log, answer.

Accepts both origin-form (`GET /path`, with the real host in `Host`, as the SDKs send in
IP mode) and absolute-form request lines (`GET http://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/`,
as any client sends through an HTTP proxy), so an SDK can be pointed at the emulator either
with its IP/endpoint options or with a proxy setting.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from emulator.accounts import Accounts
from emulator.errors import EmulatorError
from emulator.faults import Faults
from emulator.routing import Router
from emulator.services import Context
from emulator.store import Store
from emulator.wire import Request, Response


class RequestLog:
    """Every cloud request with its outcome; read through GET /_emulator/requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = len(self._entries) + 1
            self._entries.append(entry)

    def snapshot(self, since: int = 0) -> dict[str, Any]:
        with self._lock:
            entries = [e for e in self._entries if e["seq"] > since]
        counts: dict[str, int] = {}
        mutating: dict[str, int] = {}
        for e in entries:
            key = f"{e['service']}:{e['action']}"
            counts[key] = counts.get(key, 0) + 1
            if e["mutated"]:
                mutating[key] = mutating.get(key, 0) + 1
        return {
            "requests": entries,
            "total": len(entries),
            "counts": counts,
            "mutating_counts": mutating,
            "mutating_total": sum(mutating.values()),
            "faults_injected": sum(1 for e in entries if e.get("fault")),
        }

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Emulator:
    """The whole local cloud: state, accounts, services, faults and the request log."""

    def __init__(self, store: Store, accounts: Accounts) -> None:
        self.ctx = Context(store, accounts)
        self.router = Router(self.ctx)
        self.log = RequestLog()
        self.started = time.time()

    # -- control plane of the emulator itself -------------------------------------------------
    def control(self, req: Request) -> Response:
        route = (req.method, req.path.rstrip("/"))
        if route == ("GET", "/_emulator/health"):
            return _json(
                {
                    "status": "ok",
                    "uptime_s": round(time.time() - self.started, 3),
                    "services": self.router.service_names(),
                }
            )
        if route == ("POST", "/_emulator/reset"):
            self.ctx.store.reset()
            self.log.clear()
            self.ctx.faults.release()
            self.ctx.faults = Faults()
            self.ctx.clock_offset = 0.0
            return _json({"reset": True})
        if route == ("GET", "/_emulator/requests"):
            return _json(self.log.snapshot(int(req.query.get("since", "0") or 0)))
        if route == ("DELETE", "/_emulator/requests"):
            self.log.clear()
            return _json({"cleared": True})
        if route == ("GET", "/_emulator/inventory"):
            return _json(self.router.inventory())
        if route in (("POST", "/_emulator/clock"), ("GET", "/_emulator/clock")):
            return self.clock(req)
        if route == ("GET", "/_emulator/faults"):
            return _json(self.ctx.faults.to_json())
        if route == ("POST", "/_emulator/faults"):
            try:
                new = Faults.from_json(json.loads(req.body or b"{}"))
            except (ValueError, TypeError) as exc:
                return _json({"error": str(exc)}, 400)
            self.ctx.faults.release()
            self.ctx.faults = new
            return _json(self.ctx.faults.to_json())
        if route == ("DELETE", "/_emulator/faults"):
            self.ctx.faults.release()
            self.ctx.faults = Faults()
            return _json({"cleared": True})
        return _json({"error": f"no emulator control route {req.method} {req.path}"}, 404)

    def clock(self, req: Request) -> Response:
        """GET: the emulated time. POST {"advance_seconds": s} or {"advance_days": d}: move it forward, then run
        the buckets' lifecycle rules once at the new time (what COS does about daily)."""
        result: dict[str, Any] = {}
        if req.method == "POST":
            try:
                body = json.loads(req.body or b"{}")
                step = float(body.get("advance_seconds", 0)) + float(body.get("advance_days", 0)) * 86400
            except (ValueError, TypeError, AttributeError) as exc:
                return _json({"error": f"body must be {{\"advance_seconds\": n}} or {{\"advance_days\": n}}: {exc}"},
                             400)
            if step < 0:
                return _json({"error": "the clock only moves forward"}, 400)
            self.ctx.clock_offset += step
            result["lifecycle"] = self.router.services["cos"].backend.apply_lifecycle(self.ctx.now())
        return _json({"now": self.ctx.now(), "offset_seconds": self.ctx.clock_offset, **result})

    # -- cloud requests -----------------------------------------------------------------------
    def dispatch(self, req: Request) -> tuple[Response | None, dict[str, Any]]:
        """Answer one cloud request. A None response means: drop the connection."""
        started = time.monotonic()
        entry: dict[str, Any] = {
            "time": time.time(),
            "method": req.method,
            "host": req.raw_host,
            "path": req.path,
            "query": _redacted_query(req.raw_query),
            "body": _redacted_body(req.body),
            "service": "unknown",
            "action": "unknown",
            "status": 0,
            "code": "",
            "mutated": False,
            "fault": "",
        }
        service = self.router.route(req)
        entry["service"] = service.name
        response: Response | None
        try:
            req.action = service.resolve(req)
            entry["action"] = req.action
            faults = self.ctx.faults
            if faults.wait_if_held():
                entry["fault"] = "held-dropped"
                return None, entry
            delay = faults.delay_seconds()
            if delay:
                time.sleep(delay)
            decision = faults.decide(service.name, req.action)
            if decision and decision.phase == "before":
                entry["fault"] = decision.kind
                if decision.kind == "drop":
                    response = None
                else:
                    raise service.injected_error(decision.code, decision.status, req)
            else:
                response = service.handle(req)
                entry["mutated"] = (
                    req.action in service.mutating and response.status < 300 and not _is_api3_error(response)
                )
                if entry["mutated"]:
                    faults.mutated()
                if decision:
                    entry["fault"] = decision.kind + "-after"
                    response = (
                        None
                        if decision.kind == "drop"
                        else service.render_error(service.injected_error(decision.code, decision.status, req), req)
                    )
        except EmulatorError as err:
            response = service.render_error(err, req)
            entry["code"] = err.code
        if response is not None:
            entry["status"] = response.status
            if not entry["code"] and (response.status >= 300 or _is_api3_error(response)):
                entry["code"] = _error_code(response)
        entry["account"] = getattr(req.account, "app_id", None)
        entry["latency_ms"] = round((time.monotonic() - started) * 1000, 3)
        return response, entry


def _is_api3_error(resp: Response) -> bool:
    return resp.headers.get("Content-Type") == "application/json" and b'"Error"' in resp.body[:200]


def _error_code(resp: Response) -> str:
    body = resp.body.decode("utf-8", "replace")
    for start, end in (("<Code>", "</Code>"), ('"Code": "', '"'), ('"code": "', '"'), ('"code":"', '"')):
        i = body.find(start)
        if i >= 0:
            j = body.find(end, i + len(start))
            return body[i + len(start) : j]
    return ""


def _json(data: Any, status: int = 200) -> Response:
    return Response(status, {"Content-Type": "application/json"}, json.dumps(data, default=str).encode())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tencent-cloud-emulator"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out as separate writes; Nagle would hold the second 40 ms
    emulator: Emulator  # set on the subclass made by make_server

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet: the request log is the record
        return

    def handle_one_request(self) -> None:
        # Clients behind a proxy setting (requests' ProxyManager) keep Nagle on and send a body after its
        # headers; acknowledge at once, or every request with a body waits out the 40 ms delayed ACK.
        if hasattr(socket, "TCP_QUICKACK"):
            try:
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            except OSError:
                pass
        super().handle_one_request()

    def _serve(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._read_chunked()  # S3 SDKs stream bodies of unknown length this way
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
        target = self.path
        split = urlsplit(target)
        headers = {k.lower(): v for k, v in self.headers.items()}
        raw_host = headers.get("host") or split.netloc
        if split.scheme and split.netloc and not headers.get("host"):
            headers["host"] = split.netloc
        host = raw_host.lower()
        if host.startswith("[") and "]" in host:
            host = host[1 : host.index("]")]
        elif ":" in host:
            host = host.rsplit(":", 1)[0]
        req = Request(
            method=self.command,
            host=host,
            raw_host=raw_host,
            path=unquote(split.path or "/"),
            raw_path=split.path or "/",
            query=_first_values(split.query),
            raw_query=split.query,
            headers=headers,
            body=body,
        )
        if req.path.startswith("/_emulator/"):
            self._send(self.emulator.control(req))
            return
        response, entry = self.emulator.dispatch(req)
        self.emulator.log.add(entry)
        if response is None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(response, head=self.command == "HEAD")

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers, then the blank line
                    pass
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline()

    def _send(self, resp: Response, head: bool = False) -> None:
        # send_response_only: send_response would add its own Server and Date, duplicating the service's.
        self.send_response_only(resp.status)
        headers = dict(resp.headers)
        headers.setdefault("Server", self.version_string())
        headers.setdefault("Content-Length", str(len(resp.body)))
        headers.setdefault("Date", self.date_time_string())
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if resp.body and not head:
            self.wfile.write(resp.body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve  # noqa: N815

    def do_CONNECT(self) -> None:  # noqa: N802
        self._send(_json({"error": "HTTPS through the emulator is not supported; use http"}, 405))


# Query parameters that carry a credential by design (the SMH token call, presigned URLs): an access
# log masks them, as a real one would. Anything else the client sent is logged as sent.
CREDENTIAL_PARAMS = ("library_secret", "access_token", "q-signature", "x-amz-signature", "signature")
_CREDENTIAL_RE = re.compile(r"(?i)(^|&)(" + "|".join(CREDENTIAL_PARAMS) + r")=[^&]*")
LOGGED_BODY_BYTES = 4096


def _redacted_query(raw: str) -> str:
    return _CREDENTIAL_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}=***", raw or "")


def _redacted_body(body: bytes) -> str:
    return body[:LOGGED_BODY_BYTES].decode("utf-8", "replace") if body else ""


def _first_values(query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        out.setdefault(k, v)
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(host: str, port: int, store: Store, accounts: Accounts) -> tuple[ThreadingHTTPServer, Emulator]:
    emulator = Emulator(store, accounts)
    handler = type("Handler", (_Handler,), {"emulator": emulator})
    return _Server((host, port), handler), emulator
