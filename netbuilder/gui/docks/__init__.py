"""Side panels of the main window: palette, inspector, problems (and the training dock)."""
