"""Sending e-mail over SMTP (STARTTLS, SSL or a plain local relay) with a login from the secrets.

Where the server is and who sends are not secret: dashboard.toml [digest] host, port, security,
sender. The login is: .streamlit/secrets.toml [smtp] username and password, or the environment
variables DASHBOARD_SMTP_USERNAME and DASHBOARD_SMTP_PASSWORD (which win). Failures are one
sentence each: ``RecipientRefused`` concerns one message (the caller goes on with the others),
``MailUnavailable`` means nothing more can be sent in this run (unreachable, TLS, login, sender).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Mapping

from dashboard.config import ConfigError, Settings, secrets_file_section

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
ADDRESS = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


class MailUnavailable(Exception):
    """Nothing more can be sent in this run (server unreachable, TLS, login or sender refused)."""


class RecipientRefused(Exception):
    """The server would not take this one message (a refused address or a refused message)."""


def is_address(value: str) -> bool:
    """True for a plain e-mail address (local@domain.tld), the only form the digest sends to."""
    return bool(ADDRESS.match(value or ""))


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: from dashboard.toml [digest] and the [smtp] login."""

    host: str
    port: int
    security: str
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    ca_file: str | None = None

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]


def smtp_settings(
    settings: Settings, secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> SmtpSettings:
    """SMTP settings from [digest] and the login from secrets [smtp] or the environment; ConfigError says what to fix."""
    cfg = settings.section("digest")
    secrets = secrets_file_section("smtp") if secrets is None else dict(secrets)
    environ = os.environ if environ is None else environ
    host = str(cfg.get("host") or "").strip()
    if not host:
        raise ConfigError(
            "No mail server is configured; set [digest] host (and port, security, sender) in "
            "dashboard.toml (see docs/deploy.md), or preview the digest with --dry-run DIR."
        )
    security = str(cfg.get("security") or "starttls").strip().lower()
    if security not in SECURITY_PORTS:
        raise ConfigError(
            f'dashboard.toml [digest] security = {security!r} is not known; use "starttls" (port 587), '
            '"ssl" (port 465) or "none" (a relay on this machine only).'
        )
    try:
        port = int(cfg.get("port") or SECURITY_PORTS[security])
        timeout = float(cfg.get("timeout") or 30)
    except (TypeError, ValueError):
        raise ConfigError("dashboard.toml [digest] port and timeout must be numbers, e.g. port = 587.") from None
    sender = str(cfg.get("sender") or "").strip()
    if not is_address(parseaddr(sender)[1]):
        raise ConfigError(
            f"dashboard.toml [digest] sender = {sender!r} is not an e-mail address; use e.g. "
            '"Mission Control <mission-control@example.org>".'
        )
    username = environ.get("DASHBOARD_SMTP_USERNAME") or secrets.get("username") or None
    password = environ.get("DASHBOARD_SMTP_PASSWORD") or secrets.get("password") or None
    if username and not password:
        raise ConfigError(
            f"An SMTP username ({username}) is set but no password; put password under [smtp] in "
            ".streamlit/secrets.toml or set DASHBOARD_SMTP_PASSWORD."
        )
    if username and security == "none" and host not in LOOPBACK:
        raise ConfigError(
            f'Refusing to send the SMTP password to {host} unencrypted; set [digest] security = "starttls" or "ssl".'
        )
    ca_file = str(cfg.get("ca_file") or "").strip() or None
    if ca_file and not Path(ca_file).expanduser().is_file():
        raise ConfigError(
            f"dashboard.toml [digest] ca_file = {ca_file!r} does not exist; give the path of the PEM "
            "file of the certificate authority your mail server uses, or remove the setting."
        )
    return SmtpSettings(
        host=host,
        port=port,
        security=security,
        sender=sender,
        username=username and str(username),
        password=password and str(password),
        timeout=timeout,
        ca_file=ca_file,
    )


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


class Mailer:
    """One SMTP connection for a run, opened at the first message: ``with Mailer(smtp) as m: m.send(message)``."""

    def __init__(self, smtp: SmtpSettings):
        self.smtp = smtp
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Say goodbye to the server (a server that already hung up is fine)."""
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(
            cafile=str(Path(self.smtp.ca_file).expanduser()) if self.smtp.ca_file else None
        )

    def _connect(self) -> smtplib.SMTP:
        s = self.smtp
        where = f"{s.host}:{s.port}"
        try:
            if s.security == "ssl":
                connection = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls_context())
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            connection.ehlo()
            if s.security == "starttls":
                if not connection.has_extn("starttls"):
                    connection.close()
                    raise MailUnavailable(
                        f"The mail server {where} does not offer STARTTLS; use [digest] security = "
                        '"ssl" (usually port 465) or the provider\'s STARTTLS port (usually 587).'
                    )
                connection.starttls(context=self._tls_context())
                connection.ehlo()
            if s.username:
                connection.login(s.username, s.password or "")
        except ssl.SSLError as exc:
            raise MailUnavailable(
                f"The TLS handshake with the mail server {where} failed ({exc.reason or exc}); check "
                '[digest] security ("starttls" on 587, "ssl" on 465), or set [digest] ca_file if the '
                "server uses a private certificate."
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise MailUnavailable(
                f"The mail server {where} refused the login for {s.username} "
                f"({_reply(exc.smtp_code, exc.smtp_error)}); check [smtp] username and password in "
                ".streamlit/secrets.toml (or DASHBOARD_SMTP_PASSWORD)."
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise MailUnavailable(
                f"The mail server {where} does not offer a login (AUTH) on this connection; check "
                "[digest] security and port, or remove the [smtp] username for a relay that needs "
                "none."
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            raise MailUnavailable(
                f"Could not reach the mail server {where} ({reason}); check [digest] host and port "
                "in dashboard.toml and that this machine may connect to it."
            ) from None
        return connection

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; RecipientRefused for this message only, MailUnavailable to stop."""
        if self._connection is None:
            self._connection = self._connect()
        to = message["To"]
        try:
            self._connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b"refused"))
            raise RecipientRefused(
                f"the mail server refused the address ({_reply(code, text)}); check it and run again"
            ) from None
        except smtplib.SMTPDataError as exc:
            raise RecipientRefused(
                f"the mail server refused the message ({_reply(exc.smtp_code, exc.smtp_error)}); "
                "its reply says why; run again once that is dealt with"
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            self._connection = None
            raise MailUnavailable(
                f"The mail server refused the sender {exc.sender} ({_reply(exc.smtp_code, exc.smtp_error)}); "
                "set [digest] sender to an address this SMTP login may send from."
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            # Whether the server kept the message is unknown, so the run stops rather than try again on a new connection.
            self._connection = None
            raise MailUnavailable(
                f"The connection to the mail server {self.smtp.host}:{self.smtp.port} failed while "
                f"sending to {to} ({exc or type(exc).__name__}); run the command again to send the "
                "rest."
            ) from None
