"""The outbox: every email queued, claimed, sent over SMTP and recorded."""
