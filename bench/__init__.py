"""Benchmarks of what one server carries: one module per figure, and run_all for BENCHMARKS.md."""
