"""Background jobs (create due invitations, send the outbox, remind, expire) and the scheduler
that runs them."""
