"""Handing a message to the SMTP server, and telling a temporary failure from a permanent one.

The outcome decides what the outbox does next: a temporary failure (connection refused, a
timeout, a 4xx answer) is tried again later; a permanent one (a 5xx answer) is not, and a 5xx on
the recipient means the address itself is refused.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage

# CRLF line ends; headers unfolded up to SMTP's 998 characters, so that a long
# List-Unsubscribe URL stays one plain line instead of being encoded.
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


class DeliveryFailure(Exception):
    """The server did not take the message; `str()` is its answer, kept as the last error."""


class TemporaryFailure(DeliveryFailure):
    """Try again later: the server or the network may be fine in a while."""

    # The connection itself failed: the next message would fail the same way.
    connection_lost = False


class ConnectionFailure(TemporaryFailure):
    connection_lost = True


class PermanentFailure(DeliveryFailure):
    def __init__(self, message: str, recipient_refused: bool = False) -> None:
        super().__init__(message)
        self.recipient_refused = recipient_refused


class UnsendableMessage(PermanentFailure):
    """The email itself cannot go out (an address that is no address, a header that cannot be
    written): no retry would change that, and the other emails are not affected."""


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def _failure(code: int, message: bytes | str, *, recipient: bool = False) -> DeliveryFailure:
    answer = _answer(code, message)
    if 400 <= code < 500:
        return TemporaryFailure(answer)
    return PermanentFailure(answer, recipient_refused=recipient)


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for the messages of one run."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        use_tls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30,
    ) -> None:
        self.host, self.port = host, port
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpTransport:
        return cls(
            config["MAIL_SERVER"],
            int(config["MAIL_PORT"]),
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=config["MAIL_TIMEOUT"],
        )

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.use_ssl:
                connection = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_tls:
                    connection.starttls(context=context)
            connection.ehlo_or_helo_if_needed()
            if self.username:
                connection.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as error:
            # Wrong credentials stay wrong until someone fixes the settings; keep trying, so
            # nothing is lost meanwhile, and show why on the Outbox page.
            raise ConnectionFailure(_answer(error.smtp_code, error.smtp_error)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionFailure(f"{self.host}:{self.port}: {error}") from error
        return connection

    def send(self, message: EmailMessage) -> str:
        """Deliver one message to its one recipient; the server's answer on success."""
        if self._connection is None:
            self._connection = self._connect()
        connection = self._connection
        # The envelope takes the bare addresses of the headers' address objects.
        sender = message["From"].addresses[0].addr_spec
        recipient = message["To"].addresses[0].addr_spec
        try:
            return self._transact(connection, sender, recipient, message)
        except DeliveryFailure:
            self._reset()
            raise
        except (ValueError, TypeError) as error:
            # smtplib could not write this message's commands (an address it cannot encode,
            # say) before anything of it went out: the connection is fine for the next one.
            self._reset()
            raise UnsendableMessage(f"{type(error).__name__}: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            # Disconnected or timed out halfway: the server may or may not have the message.
            # The outbox sends it again with the same Message-ID, so a duplicate is recognisable.
            self.close()
            raise ConnectionFailure(f"{self.host}:{self.port}: {error}") from error

    @staticmethod
    def _transact(
        connection: smtplib.SMTP, sender: str, recipient: str, message: EmailMessage
    ) -> str:
        code, answer = connection.mail(sender)
        if code != 250:
            # A refused sender (no login, a From the server will not relay) is our settings'
            # fault and would refuse every email alike: wait and retry, and stop this run.
            raise ConnectionFailure(_answer(code, answer))
        code, answer = connection.rcpt(recipient)
        if code not in (250, 251):
            raise _failure(code, answer, recipient=True)
        try:
            # smtplib leaves the line ends of bytes alone: SMTP wants CRLF.
            code, answer = connection.data(message.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPDataError as error:
            raise _failure(error.smtp_code, error.smtp_error) from error
        if code != 250:
            raise _failure(code, answer)
        return _answer(code, answer)

    def _reset(self) -> None:
        try:
            if self._connection is not None:
                self._connection.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
