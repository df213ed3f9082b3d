"""Tests of comparison circles: the benchmark, its statistics and its pages."""
