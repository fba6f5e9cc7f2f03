"""Loading, validating and compiling catalogues."""
