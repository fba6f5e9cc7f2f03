"""Built-in behaviour, registered through the same hooks as any third-party plugin."""

BUILTIN_PLUGINS = (
    "spbe_engine._builtins.catalogues",
    "spbe_engine._builtins.weighting",
)
