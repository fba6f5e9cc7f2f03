"""What the engine does, one function per operation, `f(engine, ...)`, exposed as `Engine` methods.

Why a package of its own: operations combine domains (scoring with rules, versions with scoring,
uncertainty with parallel execution). Kept apart from the domain packages, they let the domains
form an acyclic graph, and the engine stays a facade that loads each module on first use.
"""
