"""Benchmarks and evaluations (`make bench`, `make eval`): they print figures and never fail on a timing."""
