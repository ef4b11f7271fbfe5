"""Model cards: one YAML file per model in `models/`, the single source of what to load.

A card names the packages that carry the weights, the assembled file, its size and sha256, the
licence, the prompt format and the default generation limits, so loading code never hardcodes a
model and a second model is one new file.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from coach.errors import ConfigError, ModelUnavailableError
from coach.paths import data_dir

MODELS_DIR = data_dir("models")
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct"


@dataclass
class ModelCard:
    name: str
    file: str
    size: int
    sha256: str
    packages: list[str] = field(default_factory=list)
    package_version: str = ""
    licence: str = ""
    prompt_format: str = "chatml"
    context: int = 2048
    generation: dict = field(default_factory=dict)
    description: str = ""

    def part_paths(self) -> list[Path]:
        """Paths of the installed weight parts, in order.

        Each part package exposes `get_part_path()`. A missing package is a ModelUnavailableError
        naming exactly what to install, since nothing may be downloaded at run time.
        """
        paths = []
        missing = []
        for pkg in self.packages:
            mod_name = pkg.replace("-", "_")
            try:
                mod = importlib.import_module(mod_name)
            except ModuleNotFoundError:
                missing.append(pkg)
                continue
            paths.append(Path(mod.get_part_path()))
        if missing:
            pin = f"=={self.package_version}" if self.package_version else ""
            shown = " ".join(f"{p}{pin}" for p in missing[:3]) + (" ..." if len(missing) > 3 else "")
            raise ModelUnavailableError(
                f"model {self.name!r}: {len(missing)} weight package(s) not installed "
                f"({', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}); install them with "
                f"`pip install {shown}` (or run `make setup`), or use --no-model for the rule-based "
                "fallback")
        return paths

    def gen(self, key: str, default):
        return self.generation.get(key, default)


def load_card(name_or_path: str = DEFAULT_MODEL, models_dir: Path | None = None) -> ModelCard:
    """Load a card by model name (models/NAME.yaml) or by path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix not in (".yaml", ".yml"):
        p = (models_dir or MODELS_DIR) / f"{name_or_path}.yaml"
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        known = sorted(q.stem for q in (models_dir or MODELS_DIR).glob("*.yaml"))
        raise ConfigError(f"no model card {p}; known models: {known}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{p}: not a valid model card ({e})") from None
    for k in ("name", "file", "size", "sha256"):
        if k not in data:
            raise ConfigError(f"{p}: model card is missing {k!r}")
    pk = data.get("packages") or {}
    return ModelCard(
        name=str(data["name"]), file=str(data["file"]), size=int(data["size"]),
        sha256=str(data["sha256"]).lower(), packages=list(pk.get("names") or []),
        package_version=str(pk.get("version") or ""), licence=str(data.get("licence", "")),
        prompt_format=str(data.get("prompt_format", "chatml")),
        context=int(data.get("context", 2048)), generation=dict(data.get("generation") or {}),
        description=str(data.get("description", "")))


def list_cards(models_dir: Path | None = None) -> list[ModelCard]:
    """Every model card in models/ (the registry)."""
    out = []
    for p in sorted((models_dir or MODELS_DIR).glob("*.yaml")):
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and "sha256" in data:
            out.append(load_card(str(p)))
    return out
