"""Specifications of the payments API, through HTTP against a real database."""

import pytest

# Lets the shared assertions show pytest's detailed diffs, as if written in the tests.
pytest.register_assert_rewrite("tests.api.payments.support")
