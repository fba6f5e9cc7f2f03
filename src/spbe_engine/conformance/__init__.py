"""The conformance kit: checks any catalogue plugin must pass, usable from pytest or directly.

```python
def test_my_catalogue_conforms(spbe_conformance):      # the fixture comes with spbe_engine
    spbe_conformance.assert_conforms("pemdi-2026")
```

Every check works on the catalogue *object*, so it also catches catalogues built without
validation (`Catalogue.model_construct`) or crosswalks that name indicators that do not exist.
The index checks use hypothesis (the `test` extra).
"""

from __future__ import annotations

from .checks import (
    CHECKS,
    ConformanceError,
    ConformanceKit,
    Failure,
    check_bands,
    check_crosswalks,
    check_index,
    check_scales,
    check_weights,
)

__all__ = [
    "CHECKS",
    "ConformanceError",
    "ConformanceKit",
    "Failure",
    "check_bands",
    "check_crosswalks",
    "check_index",
    "check_scales",
    "check_weights",
]
