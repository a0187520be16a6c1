"""A Qdrant REST API stand-in for tests, storing points with the Qdrant Edge engine."""

__all__ = ["__version__"]
__version__ = "0.1.0"
