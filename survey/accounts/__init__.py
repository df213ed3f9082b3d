"""Organisations (municipalities), staff users, their roles and login."""
