"""The project's core: scenario, engine, compiled kernel, measures, results, cost profile."""
