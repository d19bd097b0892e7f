"""Small helpers that every app may use; nothing here imports an app of the project."""
