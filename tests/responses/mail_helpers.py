"""A real SMTP server on 127.0.0.1 (aiosmtpd) and the worker, for the e-mail tests."""

from __future__ import annotations

import email
import email.policy
import io
import re
import socket
from email.message import Message

from aiosmtpd.controller import Controller
from django.core.management import call_command

LINK = re.compile(r"https?://[^\s<>\"]+/i/([A-Za-z0-9_-]{43})/(?=\s|$|\"|<)")
OPT_OUT = re.compile(r"https?://[^\s<>\"]+/i/([A-Za-z0-9_-]{43})/opt-out/")


def opt_out_token(message: Message) -> str:
    return OPT_OUT.search(text_part(message)).group(1)


class Inbox:
    """What the server received: one parsed message per DATA."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        # Refuse this many of the next messages (a server that is down), then accept.
        self.refuse = 0
        # Refuse every message for good with this reply (a 5xx), while set.
        self.reject = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.reject:
            return self.reject
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_smtp() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


def run_worker() -> str:
    """``db_worker --batch``: what is queued (and ready), then exit; returns its standard error."""
    err = io.StringIO()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", stderr=err)
    return err.getvalue()


def text_part(message: Message) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()


def html_part(message: Message) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()


def link_token(message: Message) -> str:
    return LINK.search(text_part(message)).group(1)
