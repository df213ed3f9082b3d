"""Development only: the Mailbox page showing what the local SMTP server received."""
