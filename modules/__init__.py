"""The shop's bounded contexts. Each module owns its events, its tables and its API.

A module may import another module's ``contracts`` and nothing else of it.
"""
