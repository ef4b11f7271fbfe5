"""Prompt templates as versioned files in `prompts/`, not strings buried in code.

A template file (`prompts/NAME.vN.txt`) has sections that start with `### section`; lines before
the first section and lines starting with `#` before it are comments. Variables are `$name`
(string.Template), so JSON braces in a prompt need no escaping. Changing a prompt means adding
`NAME.v2.txt` and switching the version, so evaluations stay reproducible.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from string import Template

from coach.errors import ConfigError
from coach.paths import data_dir

PROMPTS_DIR = data_dir("prompts")
_SECTION = re.compile(r"^### (\w+)\s*$", re.M)


@lru_cache(maxsize=None)
def load_template(name: str, version: int = 1, directory: str | None = None) -> dict[str, str]:
    """Sections of `prompts/NAME.vVERSION.txt` as {section: text}."""
    p = Path(directory or PROMPTS_DIR) / f"{name}.v{version}.txt"
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"prompt template {p} not found") from None
    parts = _SECTION.split(raw)
    sections = {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}
    if not sections:
        raise ConfigError(f"prompt template {p} has no `### section` headers")
    return sections


def render(name: str, section: str, version: int = 1, **values: object) -> str:
    """Fill one section; a missing variable is a ConfigError naming it (never a silent `$x`)."""
    sections = load_template(name, version)
    if section not in sections:
        raise ConfigError(f"prompt {name}.v{version} has no section {section!r}")
    try:
        return Template(sections[section]).substitute({k: str(v) for k, v in values.items()})
    except KeyError as e:
        raise ConfigError(f"prompt {name}.v{version}/{section} needs ${e.args[0]}") from None


# The tags the prompts wrap data in. A draft-derived text may contain them in any case and
# spacing ("</DRAFT>", "< /part >"); each is broken up so it cannot open or close a block.
_DATA_TAG = re.compile(r"<\s*(/?)\s*(draft|part|template|context)(?=[\s/>]|$)", re.IGNORECASE)


def escape_draft(text: str) -> str:
    """Keep draft-derived text inside its block: it cannot open or close a <draft>, <part> or
    <template> tag itself (any case, any spacing). Use it for every field that comes from the
    draft: the draft, its sentences, flag quotes, facts, templates filled from it."""
    return _DATA_TAG.sub(lambda m: f"<{m.group(1)} {m.group(2)}", text)
