"""Composition: settings, database, the two web apps, the CLI and the background worker."""
