"""The README's entry point, ./run: the part of it that can be exercised without installing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def _find_python(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own script, a PATH of our own)
        ["/bin/bash", "-c", ". scripts/find_python.sh && find_python"],
        cwd=ROOT,
        env={"PATH": path, "HOME": str(Path.home())},
        capture_output=True,
        text=True,
        check=False,
    )


def test_find_python_names_the_interpreter_itself_not_a_shim(tmp_path: Path) -> None:
    """A version manager's shim (pyenv, asdf) is not the path .venv was made from: given
    the shim, uv removed and recreated .venv on every ./run, under a running demo server."""
    base = getattr(sys, "_base_executable", sys.executable)  # what this venv was made from
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "python3.13"
    shim.write_text(f'#!/bin/sh\nexec "{base}" "$@"\n')
    shim.chmod(0o755)
    found = _find_python(f"{shims}:/usr/bin:/bin")
    assert found.returncode == 0, found.stderr
    own = subprocess.run(  # noqa: S603
        [base, "-c", "import sys; print(sys.executable)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == own.stdout.strip()
    assert str(shims) not in found.stdout


def test_find_python_refuses_an_old_python_with_a_clear_message(tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python3.13", "python3.12", "python3.11", "python3"):
        old = shims / name
        old.write_text("#!/bin/sh\nexit 1\n")  # as Python 3.10 answers the version check
        old.chmod(0o755)
    found = _find_python(str(shims))
    assert found.returncode == 1
    assert "Beatbook needs Python 3.11 or newer" in found.stderr
