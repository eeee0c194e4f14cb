"""Specifications of the carts API, through HTTP against a real database."""

import pytest

# Lets the shared assertions show pytest's detailed diffs, as if written in the tests.
pytest.register_assert_rewrite("tests.api.carts.assertions", "tests.api.carts.shopping")
