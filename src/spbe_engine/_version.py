"""The package version, kept in one place (read by hatchling and by the manifest)."""

__version__ = "0.2.0"
