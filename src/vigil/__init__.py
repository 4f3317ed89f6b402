"""Vigil: keeping victims of domestic abuse safe."""

__version__ = "0.1.0"
