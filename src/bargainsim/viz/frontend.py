"""Solara's front-end files, put into its CDN cache from the npm registry.

`python -m bargainsim.viz.frontend` fetches whatever is missing (`--check` only reports);
`bargainsim viz` does the same on start, and `make viz-setup` calls it.

When a page opens, Solara's server answers `/_solara/cdn/PACKAGE@VERSION/FILE` from a
cache directory (`<prefix>/share/solara/cdn/`) and, on a miss, fetches the file from a
public CDN (jsdelivr). With no route to that CDN the page stays blank ("solara is not defined").
The npm registry serves the same packages as tarballs, so this module downloads each
package the page loads, checks it against the registry's integrity hash and unpacks it
into the cache; after that the app works offline.

The packages and their exact versions are read from the installed Solara's own page
template and widgets, so a Solara upgrade that moves to new versions is followed.
BARGAINSIM_NPM_REGISTRY names another registry (a mirror) than registry.npmjs.org.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

REGISTRY_ENV = "BARGAINSIM_NPM_REGISTRY"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
TIMEOUT = 120.0
# the npm packages the page loads through the CDN proxy, besides the front end itself
PACKAGES = (
    "requirejs",                     # loads the widgets' modules
    "@widgetti/vue-grid-layout",     # SolaraViz's plot grid (solara.GridDraggable)
    "font-awesome",                  # icons
)
# Solara files that name the packages above, relative to the solara package
SOURCES = ("server/templates/solara.html.j2", "widgets/vue/gridlayout.vue")


def registry() -> str:
    """The npm registry the files come from (BARGAINSIM_NPM_REGISTRY, else npm's own)."""
    return (os.environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY).rstrip("/")


def cache_dir() -> Path:
    """The Solara server's CDN cache directory for this environment."""
    from solara.server.settings import assets

    return Path(assets.proxy_cache_dir)


def _solara_text() -> str:
    import ipywidgets
    import solara
    from solara.server.settings import assets

    root = Path(solara.__file__).parent
    text = "\n".join((root / s).read_text(encoding="utf-8") for s in SOURCES if (root / s).exists())
    major = ipywidgets.__version__.split(".")[0]
    text = re.sub(r"\{\{\s*ipywidget_major_version\s*\}\}", major, text)
    return text + "\n{{cdn}}" + assets.fontawesome_path


def front_end() -> str:
    """The npm package with the page's JavaScript, CSS and fonts.

    Solara's Vue 2 app, or its Vue 3 app under ipyvuetify 3 (which leaves Mesa's plot grid
    empty, hence the `ipyvuetify<2` pin).
    """
    import ipyvuetify

    major = int(ipyvuetify.__version__.split(".")[0])
    return "@widgetti/solara-vuetify3-app" if major >= 3 else "@widgetti/solara-vuetify-app"


def referenced() -> dict[tuple[str, str], set[str]]:
    """(package, exact version) -> the files of it that Solara's page asks for."""
    text = _solara_text()
    found: dict[tuple[str, str], set[str]] = {}
    for name in (front_end(), *PACKAGES):
        pattern = re.escape(name) + r"@(\d+\.\d+\.\d+[\w.\-]*)/([\w.\-/]+)"
        for match in re.finditer(pattern, text):
            found.setdefault((name, match.group(1)), set()).add(match.group(2))
    return found


def missing(cache: Path | None = None) -> list[str]:
    """The `PACKAGE@VERSION/FILE` paths the page needs that the cache lacks (no network)."""
    cache = cache or cache_dir()
    return sorted(
        f"{name}@{version}/{file}"
        for (name, version), files in referenced().items()
        for file in files
        if not (cache / f"{name}@{version}" / file).is_file()
    )


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - https only
        return response.read()


def _check_integrity(data: bytes, dist: dict[str, str], url: str) -> None:
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-"):
        digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != integrity.removeprefix("sha512-"):
            raise ValueError(f"{url}: the download does not match the registry's sha512")
    elif dist.get("shasum"):
        if hashlib.sha1(data).hexdigest() != dist["shasum"]:  # noqa: S324 - npm's own check
            raise ValueError(f"{url}: the download does not match the registry's sha1")


def install_package(name: str, version: str, files: set[str], cache: Path) -> None:
    """Download NAME@VERSION from the npm registry and unpack it as the CDN serves it."""
    meta = json.loads(_get(f"{registry()}/{urllib.parse.quote(name, safe='@')}/{version}"))
    dist = meta["dist"]
    data = _get(dist["tarball"])
    _check_integrity(data, dist, dist["tarball"])
    target = cache / f"{name}@{version}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(tmp, filter="data")
        unpacked = Path(tmp) / "package"
        if not unpacked.is_dir():  # a few old packages use another top folder
            unpacked = next(p for p in Path(tmp).iterdir() if p.is_dir())
        for file in files:
            # the CDN minifies on request; the unminified file does the same job
            path = unpacked / file
            plain = path.with_name(path.name.replace(".min.", "."))
            if not path.exists() and plain.is_file():
                shutil.copyfile(plain, path)
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)


def ensure_assets(log: Callable[[str], None] = print, cache: Path | None = None) -> list[str]:
    """Fill the cache with every package that has a missing file; return what is still missing."""
    cache = cache or cache_dir()
    for (name, version), files in sorted(referenced().items()):
        if all((cache / f"{name}@{version}" / f).is_file() for f in files):
            continue
        log(f"fetching {name}@{version} from the npm registry into {cache}")
        try:
            install_package(name, version, files, cache)
        except (OSError, ValueError, KeyError, tarfile.TarError, StopIteration) as exc:
            log(f"could not fetch {name}@{version}: {exc}")
    return missing(cache)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bargainsim.viz.frontend`: fetch the missing files; 0 when none is missing."""
    parser = argparse.ArgumentParser(
        prog="python -m bargainsim.viz.frontend",
        description="Put the front-end files of `bargainsim viz` (Solara's page) into this "
        "environment's Solara cache from the npm registry, so the app works offline.")
    parser.add_argument("--check", action="store_true",
                        help="only report the missing files (no network); exit 1 if any")
    args = parser.parse_args(argv)
    try:
        cache = cache_dir()
        needed = missing(cache)
    except ImportError as exc:
        print(f"frontend: the viz extra is not installed ({exc.name or exc}): "
              "pip install 'bargainsim[viz]'", file=sys.stderr)
        return 1
    if needed and not args.check:
        needed = ensure_assets(log=lambda m: print(f"frontend: {m}", file=sys.stderr), cache=cache)
    if needed:
        print(f"frontend: {len(needed)} files missing from {cache}: {', '.join(needed)}"
              + ("" if args.check else f" (could not be fetched from {registry()})"),
              file=sys.stderr)
        return 1
    print(f"frontend: every file is in {cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
