"""Small reusable widgets of the GUI (editors built from ``Param`` declarations)."""
