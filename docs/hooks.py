"""mkdocs hook: links from a page to files of the repository outside docs/ (the examples).

The pages are read on GitHub as well as in the site, so they link to ``../examples/parallel.sh``
as files of the repository. The site has no such files: this hook copies each linked file that
exists into the site under its repository path and points the link there. A link to a file that
does not exist is left alone, and mkdocs reports it (a failure with --strict).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File

LINK = re.compile(r"(\]\()([^)#\s]+)")


def _outside(page_uri: str, target: str, docs: Path, root: Path) -> str | None:
    """The repository path of a relative link that leaves docs/ to an existing file, else None."""
    if "://" in target or target.startswith(("/", "mailto:")):
        return None
    resolved = (docs / posixpath.dirname(page_uri) / target).resolve()
    try:
        resolved.relative_to(docs)
        return None
    except ValueError:
        pass
    try:
        inside = resolved.relative_to(root)
    except ValueError:
        return None
    return inside.as_posix() if resolved.is_file() else None


def _roots(config) -> tuple[Path, Path]:
    docs = Path(config["docs_dir"]).resolve()
    return docs, Path(config["config_file_path"]).resolve().parent


def on_files(files, config):
    """Add every existing repository file that a page links to outside docs/."""
    docs, root = _roots(config)
    wanted = set()
    for page in files.documentation_pages():
        text = Path(page.abs_src_path).read_text(encoding="utf-8")
        for _, target in LINK.findall(text):
            path = _outside(page.src_uri, target, docs, root)
            if path is not None:
                wanted.add(path)
    for path in sorted(wanted):
        if files.get_file_from_path(path) is None:
            files.append(File(path, str(root), config["site_dir"], config["use_directory_urls"]))
    return files


def on_page_markdown(markdown, page, config, files):
    """Point links to repository files outside docs/ at their copies in the site."""
    docs, root = _roots(config)

    def rewrite(match):
        path = _outside(page.file.src_uri, match.group(2), docs, root)
        if path is None:
            return match.group(0)
        return match.group(1) + posixpath.relpath(path, posixpath.dirname(page.file.src_uri) or ".")

    return LINK.sub(rewrite, markdown)
