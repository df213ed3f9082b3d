"""A person's rights (access and erasure) and the retention periods of personal data."""
