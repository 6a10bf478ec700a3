"""Benchmarks (`make bench`): each prints `key: value` lines, timings as ratios where possible."""
