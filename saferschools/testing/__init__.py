"""Test helpers shared by every app: no production code imports this package."""
