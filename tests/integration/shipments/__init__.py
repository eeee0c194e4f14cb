"""Tests of the shipments module."""
