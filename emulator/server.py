"""HTTP front door: read the request, hand it to the control API or to dispatch, write the answer.

Accepts both origin-form (`GET /path`, with the real host in `Host`, as the SDKs send in
IP mode) and absolute-form request lines (`GET http://bucket-1250000000.cos.ap-guangzhou.myqcloud.com/`,
as any client sends through an HTTP proxy), so an SDK can be pointed at the emulator either
with its IP/endpoint options or with a proxy setting.
"""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from emulator import control
from emulator.accounts import Accounts
from emulator.dispatch import Emulator
from emulator.store import Store
from emulator.wire import Request, Response


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
            self._send(control.answer(self.emulator, req))
            return
        response = self.emulator.dispatch(req)
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
        self._send(control.json_response({"error": "HTTPS through the emulator is not supported; use http"}, 405))


def _first_values(query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        out.setdefault(k, v)
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(host: str, port: int, store: Store, accounts: Accounts,
                library_bucket: str = "honoured") -> tuple[ThreadingHTTPServer, Emulator]:
    emulator = Emulator(store, accounts)
    emulator.ctx.library_bucket = library_bucket
    handler = type("Handler", (_Handler,), {"emulator": emulator})
    return _Server((host, port), handler), emulator
