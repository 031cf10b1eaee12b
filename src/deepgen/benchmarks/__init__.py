"""Training-speed benchmarks: ``python -m deepgen.benchmarks`` (see ``__main__``)."""
