"""Build hook: the wheel carries scenarios/ and the docs the program cites.

The repository's scenarios/ go to ``scosim/shipped_scenarios/``; README.md, CHANGELOG.md
and docs/*.md to ``scosim/shipped_docs/`` (README.md and docs/<page>.md, the layout their
links assume): the answers cite them (scosim.cited_docs), and a wheel without them cited
pages its user could not open (an outside review, 2026-12-07). The figures under docs/img/
that those pages link go with them (five PNGs, 1.25 MB, the README's screenshot 0.36 MB of
it): the shipped README linked CHANGELOG.md and docs/img/explorer.png, neither in the wheel
(a new user, 2026-12-07). An image no page links is not shipped. A page's links into
scenarios/ are pointed at the wheel's copy of them (:func:`shipped_text`).

Everything else is in pyproject.toml. The top-level scenarios/ folder stays where it is
(the docs, the tests and users' commands name ``scenarios/<file>.yaml``); a built wheel
gets a copy, so that a scenario outside the checkout can write ``extends:
scosim:customs_union`` (scosim.scenario.shipped). An editable install copies nothing: it
reads the checkout's folder.
"""

import os
import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
#: Where the wheel keeps them, under build_lib (scosim.scenario.shipped.PACKAGED).
TARGET = ("scosim", "shipped_scenarios")
#: Where the wheel keeps README.md and docs/*.md (scosim.cited_docs.PACKAGED).
DOCS_TARGET = ("scosim", "shipped_docs")


class BuildPy(build_py):
    """``build_py`` that also copies ``scenarios/**/*.yaml`` (and ``*.json``) into the package."""

    def run(self) -> None:
        """Build the package, then copy the shipped scenarios beside it."""
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's scenarios/
        # The scenarios, and the hindcast's frozen prospective predictions (JSON) that
        # `python -m scosim.hindcast.prospective --check` reads beside them.
        files = sorted([*SCENARIOS.rglob("*.yaml"), *SCENARIOS.rglob("*.json")])
        if not files:
            # A wheel without them would fail only when a user's `extends: scosim:...` ran.
            raise SystemExit(f"setup.py: no scenarios/*.yaml beside {HERE} to ship in the "
                             "wheel (an sdist needs MANIFEST.in's `recursive-include "
                             "scenarios *.yaml`)")
        # A reused build/ would otherwise still ship a scenario since removed or renamed.
        shutil.rmtree(Path(self.build_lib, *TARGET), ignore_errors=True)
        for src in files:
            dest = Path(self.build_lib, *TARGET, src.relative_to(SCENARIOS))
            self.mkpath(str(dest.parent))
            self.copy_file(str(src), str(dest))
        self._copy_docs()

    def _copy_docs(self) -> None:
        """Copy README.md, CHANGELOG.md, docs/*.md and the docs/img/ figures they link."""
        pages = [HERE / "README.md", HERE / "CHANGELOG.md",
                 *sorted((HERE / "docs").glob("*.md"))]
        if not all(p.is_file() for p in pages) or len(pages) < 3:
            raise SystemExit(f"setup.py: no README.md, CHANGELOG.md and docs/*.md beside {HERE} "
                             "to ship in the wheel (an sdist needs MANIFEST.in's `include "
                             "README.md CHANGELOG.md` and `recursive-include docs *.md`)")
        shutil.rmtree(Path(self.build_lib, *DOCS_TARGET), ignore_errors=True)
        for src in pages + linked_images(pages):
            dest = Path(self.build_lib, *DOCS_TARGET, src.relative_to(HERE))
            self.mkpath(str(dest.parent))
            if src.suffix == ".md":
                dest.write_text(shipped_text(src), encoding="utf-8")
            else:
                self.copy_file(str(src), str(dest))


def linked_images(pages: list[Path]) -> list[Path]:
    """The files under docs/img/ that ``pages`` link (``](img/x.png)``, ``](docs/img/x.png)``)."""
    img = (HERE / "docs" / "img").resolve()
    found = set()
    for page in pages:
        for target in re.findall(r"\]\(([^)\s#]+)", page.read_text(encoding="utf-8")):
            path = (page.parent / target).resolve()
            if path.parent == img and path.is_file():
                found.add(HERE / "docs" / "img" / path.name)
    return sorted(found)


def shipped_text(page: Path) -> str:
    """``page`` as the wheel ships it: links into scenarios/ point at the wheel's copy.

    In the wheel the scenarios are not beside the docs (``scosim/shipped_scenarios/``, not
    ``scosim/shipped_docs/scenarios/``): docs/hindcasts.md's link to the frozen predictions,
    ``../scenarios/hindcasts/prospective/...json``, led nowhere in an install. Pointed at the
    copy that ``python -m scosim.hindcast.prospective --check`` reads, not a second one.
    """
    text = page.read_text(encoding="utf-8")
    scenarios = SCENARIOS.resolve()
    here = Path(*DOCS_TARGET, page.parent.relative_to(HERE))

    def point(m: re.Match[str]) -> str:
        target = m.group(2)
        path = (page.parent / target).resolve()
        if ("://" in target or not path.is_relative_to(scenarios) or not path.is_file()
                or path.suffix not in (".yaml", ".json")):  # the files run() ships
            return m.group(0)
        shipped = Path(*TARGET, path.relative_to(scenarios))
        return m.group(1) + os.path.relpath(shipped, here).replace(os.sep, "/")

    return re.sub(r"(\]\()([^)\s#]+)", point, text)


setup(cmdclass={"build_py": BuildPy})
