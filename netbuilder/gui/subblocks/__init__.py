"""Reusable sub-blocks in the editor: open a definition on the canvas, make, expand, list.

``scope`` says which diagram the canvas edits (the network or a definition's body),
``breadcrumb`` shows where that is, ``commands`` holds the undoable verbs, ``dialog`` asks
for a new sub-block's name and exposed parameters, and ``actions`` wires them into the window.
"""
