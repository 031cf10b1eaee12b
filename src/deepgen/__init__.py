"""deepgen"""

__version__ = "0.1"
