"""Exports too large to build while a person waits: made by the scheduler, kept for a while."""
