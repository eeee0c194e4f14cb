"""Architecture tests: the module boundaries declared in pyproject.toml hold, and are enforced."""
