"""NetBuilder's bundled files, installed as the package ``netbuilder.assets``.

This folder is where people edit the examples, icons and desktop files; ``setup.py`` maps it
into the package, so wheels, sdists and editable installs all carry it. The file exists so
that ``importlib.resources`` sees a regular package and returns real file-system paths.
"""
