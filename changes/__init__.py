"""The pending-change engine: submit, withdraw, accept, reject, apply effects."""
