"""The workshop: scenarios that measure the shop's known design debts, and the series of
refactoring steps that pays them off (``scenarios/`` and ``docs/workshop.md``)."""
