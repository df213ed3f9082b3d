"""Feedback figures: tallies kept up to date on every response, and the statistics on them."""
