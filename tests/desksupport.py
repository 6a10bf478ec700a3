"""Helpers for the desk's tests: a real local SMTP server (aiosmtpd), messages as received, a
PNG logo (no tests here)."""

from __future__ import annotations

import email
import email.policy
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    """What the SMTP server received: one parsed message per DATA, with its envelope."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def attachments(self, index: int = -1) -> dict[str, tuple[str, bytes]]:
        """File name -> (media type, content) of a received message's attachments."""
        out: dict[str, tuple[str, bytes]] = {}
        for part in self.messages[index].iter_attachments():
            name = part.get_filename()
            assert name is not None
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out[name] = (part.get_content_type(), payload)
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, dict[str, str]]]:
    """A local SMTP server (no TLS, no login) and the ``TCO_SMTP_*`` settings that reach it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        "TCO_SMTP_HOST": "127.0.0.1",
        "TCO_SMTP_PORT": str(port),
        "TCO_SMTP_FROM": "quotes@acme.example",
        "TCO_SMTP_STARTTLS": "false",
        "TCO_SMTP_TIMEOUT_SECONDS": "20",
    }
    try:
        yield inbox, env
    finally:
        controller.stop()


def png(width: int = 40, height: int = 20) -> bytes:
    """A small valid PNG image (solid blue)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x1f\x4e\x79" * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
