"""Canvas: the scene that mirrors the diagram, its items, the view and its gestures."""
