"""The model and its rules. Imports nothing from the web layer."""
