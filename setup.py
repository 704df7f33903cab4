"""Packaging layout that pyproject.toml cannot express: top-level ``resources/`` installed
as the package ``netbuilder.assets``.

``resources/`` stays where people browse and edit the examples, icons and desktop files; the
build copies it into every wheel (and an editable install maps it in place), and
``netbuilder.resources`` finds it with ``importlib.resources``. Everything else about the
project is in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

ASSETS = "netbuilder.assets"

setup(
    packages=[*find_packages(include=["netbuilder", "netbuilder.*"]), ASSETS],
    package_dir={ASSETS: "resources"},
    # only what the app reads at run time: README screenshots stay out of the wheel
    package_data={
        ASSETS: [
            "examples/*.nbd",
            "samples/*.nbd",
            "icons/*.svg",
            "icons/*.png",
            "desktop/*.desktop",
            "desktop/*.xml",
            "translations/*.qm",
            "translations/*.mo",
        ]
    },
    include_package_data=False,
)
