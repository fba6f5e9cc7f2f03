"""Regulation versions: crosswalks, their composition, migration, diffs and transitions."""
