"""Questionnaires as data: versions, questions, the built-in catalogue and the form builder."""
