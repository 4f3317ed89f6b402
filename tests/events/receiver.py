"""A real HTTP server on this machine, in a thread, standing in for a subscribing system: it records each
request (headers and body) and answers with the statuses it is told, then 200.

127.0.0.1 is a loopback address, to which Vigil sends nothing unless VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS is
on: while a receiver runs it is on, unless the receiver is made with allow_private=False (to show that
nothing is sent without it)."""

import threading
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import override_settings


@dataclass
class Received:
    headers: Message  # looked up without regard to case, as HTTP headers are
    body: bytes


class Receiver:
    def __init__(self, statuses=(), *, allow_private: bool = True, tls=None):
        self.statuses = list(statuses)
        self.allowed = override_settings(VIGIL_EVENTS_ALLOW_PRIVATE_TARGETS=allow_private)
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(headers=self.headers, body=body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:  # an ssl.SSLContext with the server's certificate: https
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/vigil-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.allowed.enable()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.allowed.disable()
