"""Contacts between an account manager and an entrepreneur: the usual occasion for a survey."""
