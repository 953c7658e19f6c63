"""Webhooks: a signed JSON POST to the company's endpoint.

The host name is resolved once and the connection goes to that address (with the host name kept
for TLS and the Host header), and only public addresses are allowed, so an endpoint cannot be
pointed at the platform's own network. Redirects are not followed."""
from __future__ import annotations

import http.client
import json
import socket
import ssl
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings

from ..events import DeliverySkipped
from ..models import Delivery, Event
from ..webhooks import EVENT_HEADER, EVENT_ID_HEADER, SIGNATURE_HEADER, address_allowed, signature_header, url_problem
from . import SendFailed

USER_AGENT = "SME-Market-Webhooks/1.0"


def payload(event: Event) -> bytes:
    created = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    body = {"id": str(event.uid), "type": event.name, "created_at": created, "company_id": event.company_id,
            "data": event.context}
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POSTs `body` and returns the HTTP status."""
    problem = url_problem(url)
    if problem:
        raise SendFailed(str(problem), permanent=True)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise SendFailed(f"cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(address_allowed(address) for address in addresses):
        raise SendFailed(f"{parts.hostname} resolves to an address webhooks may not reach", permanent=True)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=addresses[0], timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()


def send(delivery: Delivery) -> None:
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.is_active:
        raise DeliverySkipped("the endpoint is switched off")
    event = delivery.event
    body = payload(event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event.name,
        EVENT_ID_HEADER: str(event.uid),
        SIGNATURE_HEADER: signature_header(secret=endpoint.secret, body=body),
    }
    status = post(endpoint.url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    if not 200 <= status < 300:
        raise SendFailed(f"the endpoint answered HTTP {status}")
