"""The payments module against a real database: the sandbox provider, and the module's
handlers driven by a relay, as in production."""
