"""How the shipments module plugs into the shop."""

from __future__ import annotations

from shared.module import ModuleDefinition, ModuleDependencies


def build(dependencies: ModuleDependencies) -> ModuleDependencies:
    return dependencies


shipments = ModuleDefinition(name="shipments", build=build)
