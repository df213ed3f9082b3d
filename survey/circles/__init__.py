"""Comparison circles: municipalities that share aggregates, the benchmark between them, their
improvement actions and good practices."""
