"""setuptools' build backend, without its note on editable installs (pyproject.toml names this file).

An editable install of a project whose folders do not follow its import names (``sim/`` installs as
``drillsim.sim``) is made with an import finder, and setuptools then always warns that "folders in
your working directory with the same name as your package may take precedence during imports".
Here that folder is ``drillsim/``, the package's own source, which the finder maps anyway: the note
never applies, so it is silenced, and only it (docs/decisions.md). Everything else is setuptools'.
"""

from __future__ import annotations

import warnings
from typing import Any

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403 - this module is setuptools' backend
from setuptools.warnings import InformationOnly


def build_editable(wheel_directory: str, config_settings: dict[str, Any] | None = None,
                   metadata_directory: str | None = None) -> str:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\s*Editable installation", category=InformationOnly)
        return build_meta.build_editable(wheel_directory, config_settings, metadata_directory)
