"""The officers' back office."""
