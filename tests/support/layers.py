"""The sandbox layers a test runs student code under: bubblewrap where it runs (CI installs it, so there a
missing bubblewrap fails rather than skips), and Landlock where the kernel scopes signals (ABI 6, Linux 6.12)."""

from __future__ import annotations

import os

import pytest

from autograder.sandbox.inside.landlock import abi_version
from autograder.sandbox.launch import bwrap_works

IN_CI = bool(os.environ.get("CI"))
needs_bwrap = pytest.mark.skipif(not bwrap_works() and not IN_CI,
                                 reason="bubblewrap cannot run here (CI installs it and runs these)")
LANDLOCK_ABI = abi_version()
LAYERS = [pytest.param(("bubblewrap",), marks=needs_bwrap, id="bubblewrap"),
          pytest.param(("landlock",), id="landlock", marks=pytest.mark.skipif(
              LANDLOCK_ABI < 6, reason=f"this kernel's Landlock ABI is {LANDLOCK_ABI}; these checks need 6"))]
