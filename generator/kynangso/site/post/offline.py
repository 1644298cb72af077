"""The offline pack: per language, the list of every file a phone keeps to learn without
internet, and the service worker that keeps them, versioned by the content of those files."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from kynangso.sources.schema import LANGUAGES

SERVICE_WORKER = Path(__file__).resolve().parents[2] / "templates" / "sw.js"
# mkdocs-material ships lunr for 30 languages; a phone needs the ones our search config uses
# (one lunr language per index: Vietnamese needs its own, English none).
LUNR = re.compile(r"^assets/javascripts/lunr/")
LUNR_NEEDED = re.compile(r"lunr\.(stemmer\.support|vi)\.min\.js$")
# each language's search index belongs to that language's pack alone (site/post/search.py)
SEARCH_INDEX = "search/search_index.json"
SKIPPED_SUFFIXES = (".map", ".gz")
SKIPPED_NAMES = {"sw.js", "sitemap.xml"}


def pack_files(
    site: Path,
    lang: str,
    skipped: frozenset[str] = frozenset(),
    languages: tuple[str, ...] = LANGUAGES,
) -> list[str]:
    """Site-relative URLs of every file the `lang` pack holds: that language's pages and the
    search index and the shared scripts, styles, media and offline lists, except the `skipped`
    files (site-relative paths)."""
    urls = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(site).as_posix()
        if relative in SKIPPED_NAMES or relative in skipped or relative.endswith(SKIPPED_SUFFIXES):
            continue
        if LUNR.match(relative) and not LUNR_NEEDED.search(relative):
            continue
        if relative.startswith("offline/") and relative != f"offline/{lang}.json":
            continue
        # the first language lives at the root, every other one in its own folder (`en/…`)
        folder = next((code for code in languages[1:] if relative.startswith(f"{code}/")), None)
        if path.suffix == ".html" or relative.endswith(SEARCH_INDEX):
            if folder != (None if lang == languages[0] else lang):
                continue
        elif folder:
            continue  # nothing but pages and the language's index lives under en/
        urls.append(_url(relative))
    return urls


def _url(relative: str) -> str:
    """`lessons/x/index.html` is asked for as `lessons/x/`, the home page as `./`."""
    if relative == "index.html":
        return "./"
    if relative.endswith("/index.html"):
        return relative[: -len("index.html")]
    return relative


def _file(site: Path, url: str) -> Path:
    if url == "./":
        return site / "index.html"
    return site / (url + "index.html" if url.endswith("/") else url)


def write_offline_pack(
    site: Path, skipped: frozenset[str] = frozenset(), languages: tuple[str, ...] = LANGUAGES
) -> dict[str, dict[str, object]]:
    """Write offline/<lang>.json for every language and sw.js with a content version."""
    (site / "offline").mkdir(exist_ok=True)
    packs = {lang: pack_files(site, lang, skipped, languages) for lang in languages}
    digest = hashlib.sha256()
    for url in sorted(set().union(*packs.values())):
        if url.startswith("offline/"):
            continue
        digest.update(url.encode())
        digest.update(_file(site, url).read_bytes())
    version = digest.hexdigest()[:16]
    manifests: dict[str, dict[str, object]] = {}
    for lang, urls in packs.items():
        manifest_url = f"offline/{lang}.json"
        files = urls if manifest_url in urls else urls + [manifest_url]
        sizes = sum(_file(site, url).stat().st_size for url in files if url != manifest_url)
        manifest = {"lang": lang, "version": version, "bytes": sizes, "files": files}
        (site / manifest_url).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        manifests[lang] = manifest
    worker = SERVICE_WORKER.read_text(encoding="utf-8").replace("__KNS_VERSION__", version)
    (site / "sw.js").write_text(worker, encoding="utf-8")
    return manifests


AUDIO_PREFIX = "media/audio/"


def pack_sizes(site: Path, languages: tuple[str, ...] = LANGUAGES) -> dict[str, tuple[int, int]]:
    """{lang: (bytes of the whole pack, bytes of its recorded voices)}, from offline/<lang>.json:
    the recordings (lesson steps' `audio:`) are what can make a pack heavy on a phone."""
    sizes = {}
    for lang in languages:
        manifest = json.loads((site / "offline" / f"{lang}.json").read_text(encoding="utf-8"))
        audio = sum(
            _file(site, url).stat().st_size
            for url in manifest["files"]
            if url.startswith(AUDIO_PREFIX)
        )
        sizes[lang] = (int(manifest["bytes"]), audio)
    return sizes
