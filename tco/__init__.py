"""tco: a total-cost-of-ownership quoting engine for capital equipment."""

__version__ = "0.1.0"
