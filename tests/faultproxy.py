"""A small fault-injecting HTTP proxy for S3 tests: threaded, on 127.0.0.1, forwarding to the
moto server. Scripted rules answer 503 some number of times, or cut a GET body after K bytes
(headers promise the full Content-Length, then the socket is shut), the way real networks fail.

    proxy = FaultProxy(upstream_url).start()
    proxy.fail("GET", "data/x.json", times=2)          # two 503 SlowDown, then forward
    proxy.cut("data/x.json", after=5000, times=1)     # first GET body dies after 5000 bytes
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
"""
from __future__ import annotations

import http.client
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlparse

HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "trailer"}

ERROR_BODY = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
              "<Message>injected fault</Message><RequestId>fault</RequestId></Error>")


@dataclass
class Rule:
    method: str
    path: str                  # substring of the request path (and query)
    times: int                 # how many more requests it applies to (-1 = forever)
    status: int = 503
    cut_after: int | None = None   # None: answer `status`; else forward and cut the body after N bytes
    ranged: bool | None = None     # None: any request; True/False: only with/without a Range header
    on_fire: Callable[[], None] | None = None

    def matches(self, method: str, path: str, has_range: bool) -> bool:
        return (self.times != 0 and method == self.method and self.path in path
                and (self.ranged is None or self.ranged == has_range))


@dataclass
class Seen:
    method: str
    path: str
    range: str | None
    fault: str | None = None


class FaultProxy:
    def __init__(self, upstream: str):
        u = urlparse(upstream)
        self.upstream = (u.hostname, u.port)
        self.rules: list[Rule] = []
        self.log: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- scripting -------------------------------------------------------------------------------
    def fail(self, method: str, path: str, times: int = 1, status: int = 503, ranged: bool | None = None) -> Rule:
        rule = Rule(method, path, times, status=status, ranged=ranged)
        self.rules.append(rule)
        return rule

    def cut(self, path: str, after: int, times: int = 1, ranged: bool | None = None, on_fire=None) -> Rule:
        rule = Rule("GET", path, times, cut_after=after, ranged=ranged, on_fire=on_fire)
        self.rules.append(rule)
        return rule

    def gets(self, path: str) -> list[Seen]:
        return [s for s in self.log if s.method == "GET" and path in s.path]

    def _pick(self, method: str, path: str, has_range: bool) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path, has_range):
                    if rule.times > 0:
                        rule.times -= 1
                    return rule
        return None

    # -- server ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FaultProxy":
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):       # quiet
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rng = self.headers.get("Range")
                seen = Seen(self.command, self.path, rng)
                with proxy._lock:
                    proxy.log.append(seen)
                rule = proxy._pick(self.command, self.path, rng is not None)
                if rule is not None and rule.cut_after is None:
                    seen.fault = str(rule.status)
                    payload = ERROR_BODY.format(code="SlowDown" if rule.status == 503 else "InternalError").encode()
                    self.send_response(rule.status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    self.close_connection = True
                    return
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                if rule is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command == "HEAD":
                    return
                if rule is None or resp.status >= 300:
                    self.wfile.write(data)
                    return
                # Cut: promise everything, send `cut_after` bytes, then drop the connection.
                seen.fault = f"cut@{rule.cut_after}"
                self.wfile.write(data[:rule.cut_after])
                self.wfile.flush()
                if rule.on_fire is not None:
                    rule.on_fire()
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.close_connection = True

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), name="faultproxy", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
