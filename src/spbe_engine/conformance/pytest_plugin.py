"""pytest plugin (entry point `pytest11`): the `spbe_conformance` fixture for catalogue authors.

Loading it imports the spbe_engine package (pytest imports plugins at start-up); the engine and
its plugins are only created when a test asks for the fixture.
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
