"""Benchmarks behind ``qhep bench``: one module per workload family (engine, primitives, ...)."""
