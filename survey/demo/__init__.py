"""Demo data: a municipality with staff, contacts, invitations and realistic answers."""
