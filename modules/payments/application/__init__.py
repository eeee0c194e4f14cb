"""Use cases of the payments module: asking the provider for money, recording its answers,
reacting to orders, and the queries."""
