"""Webhooks: a signed JSON POST to the company's endpoint.

The host name is resolved once per attempt, every address it resolves to is checked
(notifications.webhooks.resolve_checked, the rule registration uses too), and the connection goes
to a checked address with the host name kept for TLS (SNI, certificate) and the Host header, so an
endpoint cannot be pointed at the platform's own network, not even by a name that resolves
differently a second later. Redirects are not followed."""
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
from ..webhooks import (
    EVENT_HEADER,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    AddressRefused,
    host_and_port,
    resolve_checked,
    signature_header,
    url_problem,
)
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
    host, port = host_and_port(url)
    try:
        addresses = resolve_checked(host, port)
    except AddressRefused as exc:
        # A name that does not resolve may resolve later; an address we may not reach will not change.
        raise SendFailed(str(exc), permanent=exc.resolves) from exc
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
