"""Invitations: who is asked which questionnaire when, and in which state that request is."""
