"""Composition root of the Paris Méd' assistant: settings, CLI, HTTP application, launcher."""
