"""pydantic v2 models: catalogues and assessments (the edges of the library)."""

from .assessment import Assessment
from .catalogue import Band, Catalogue, Group, Indicator, Level, LevelScale, Note, Regulation, Source

__all__ = [
    "Assessment",
    "Band",
    "Catalogue",
    "Group",
    "Indicator",
    "Level",
    "LevelScale",
    "Note",
    "Regulation",
    "Source",
]
