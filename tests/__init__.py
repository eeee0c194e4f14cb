import pytest

# Lets the shared helpers' asserts show pytest's detailed diffs, as if written in the tests.
pytest.register_assert_rewrite("tests.support")
