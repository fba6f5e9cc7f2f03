"""pytest plugin (entry point `pytest11`): the `spbe_conformance` fixture for catalogue authors.

Kept light: nothing is imported from spbe_engine until the fixture is used.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def spbe_conformance() -> Any:
    """A ConformanceKit on an Engine with every installed plugin: `.assert_conforms("my-catalogue")`."""
    from ..engine import Engine
    from .checks import ConformanceKit

    return ConformanceKit(Engine())
