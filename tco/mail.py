"""Sending e-mail through an SMTP server (standard library ``smtplib``), with attachments.

The server is configured by the front doors (``TCO_SMTP_HOST``, ``TCO_SMTP_PORT``,
``TCO_SMTP_USER``, ``TCO_SMTP_PASSWORD``, ``TCO_SMTP_FROM``, ``TCO_SMTP_STARTTLS``; see
docs/desk.md) and handed over as a :class:`SmtpConfig`. No server configured is a
:class:`MailNotSetUpError`; a recipient the server refuses a :class:`RecipientRefusedError`; a
server that cannot be reached, refuses the login or fails a :class:`DeliveryError`. Each names
what went wrong; nothing is retried here.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from tco.core.errors import ConflictError, Problem, TcoError


class DeliveryError(TcoError):
    """The SMTP server could not be reached, refused the login or failed: try again later."""


class MailNotSetUpError(ConflictError):
    """No SMTP server (or no sender address) is configured: nothing can be sent."""


class RecipientRefusedError(TcoError):
    """The SMTP server refused the recipient's address."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send: host (None: sending is not set up), port, login, the sender's
    address, whether to upgrade the connection with STARTTLS, and the timeout in seconds."""

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str | None = None
    starttls: bool = True
    timeout_s: float = 30.0


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    media_type: str


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
) -> EmailMessage:
    """A MIME message: the text body, then the attachments; it has a Message-ID."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg.set_content(body)
    for a in attachments:
        main, _, sub = a.media_type.partition("/")
        msg.add_attachment(a.content, maintype=main, subtype=sub, filename=a.filename)
    return msg


def check_config(config: SmtpConfig) -> None:
    """:class:`MailNotSetUpError` when sending is not set up (no host or no sender address)."""
    problems = []
    if not config.host:
        problems.append(Problem("smtp", "sending e-mail is not set up: set TCO_SMTP_HOST"))
    if not config.sender:
        problems.append(Problem("smtp", "sending e-mail is not set up: set TCO_SMTP_FROM"))
    if problems:
        raise MailNotSetUpError(problems)


def send(config: SmtpConfig, message: EmailMessage) -> str:
    """Hand ``message`` to the SMTP server; its Message-ID."""
    check_config(config)
    assert config.host is not None
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as server:
            server.ehlo()
            if config.starttls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if config.user:
                server.login(config.user, config.password or "")
            refused = server.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise _failed("the SMTP server refused the login", exc) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise RecipientRefusedError(
            [Problem("recipient", f"the SMTP server refused {', '.join(exc.recipients)}")]
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise _failed(f"could not send through {config.host}:{config.port}", exc) from None
    if refused:
        raise DeliveryError([Problem("recipient", f"the SMTP server refused {', '.join(refused)}")])
    return str(message["Message-ID"])


def _failed(what: str, exc: BaseException) -> DeliveryError:
    detail = str(exc).strip() or type(exc).__name__
    return DeliveryError([Problem("smtp", f"{what}: {detail}")])
