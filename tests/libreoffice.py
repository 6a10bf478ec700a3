"""Recalculate workbooks with LibreOffice headless (for the workbook parity tests).

Each call uses a fresh user profile (two soffice processes sharing one profile fail silently)
whose settings make Calc recalculate every formula on load: a workbook that carries cached
values is otherwise shown with those values, unrecalculated. Several files go through one
soffice process, which costs about 0.2 s a file after start-up. Every output file is checked
to exist.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def available() -> bool:
    return SOFFICE is not None


def recalculate(paths: Sequence[Path], out_dir: Path, *, timeout_s: float = 300) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate everything, save it as .xlsx in out_dir.

    Returns the output paths in the order of ``paths``; raises if soffice fails or any output
    file is missing. Input file names must be distinct.
    """
    return convert(paths, out_dir, "xlsx", timeout_s=timeout_s)


def convert(
    paths: Sequence[Path], out_dir: Path, fmt: str, *, timeout_s: float = 300
) -> list[Path]:
    """:func:`recalculate`, saving each workbook as ``fmt`` (``pdf``: printed as a buyer
    prints it, every formula recalculated first)."""
    if SOFFICE is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    if len({p.name for p in paths}) != len(paths):
        raise ValueError("input file names must be distinct")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        cmd = [
            SOFFICE,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            *[str(p) for p in paths],
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    outputs = [out_dir / f"{p.stem}.{fmt}" for p in paths]
    missing = [str(p) for p in outputs if not p.exists()]
    if proc.returncode != 0 or missing:
        raise RuntimeError(
            f"soffice exited {proc.returncode}; missing outputs: {missing}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}"
        )
    return outputs
