"""How the orders module plugs into the shop."""

from __future__ import annotations

from shared.module import ModuleDefinition, ModuleDependencies


def build(dependencies: ModuleDependencies) -> ModuleDependencies:
    return dependencies


orders = ModuleDefinition(name="orders", build=build)
