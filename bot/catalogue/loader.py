"""Loading ``data/`` and refusing to start on anything wrong with it.

Every problem becomes a :class:`CatalogueError` naming the file and the field, because the
person fixing it is editing YAML by hand, not reading a traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.catalogue.catalogue import Catalogue, pose_names, tag_phrases
from bot.catalogue.matching import name_key, phrase_key, phrase_words
from bot.catalogue.models import CautionVocabulary, Pose, PoseCaution, Source

DATA_DIR_ENV = "LIMBER_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
POSES_DIR = "poses"
CAUTIONS_FILE = "cautions.yaml"
SOURCES_FILE = "sources.yaml"
# The most validation problems one error lists; the first is the one to fix first.
_MAX_PROBLEMS = 5

M = TypeVar("M", bound=BaseModel)


class CatalogueError(Exception):
    """A data file that stops start-up: which file, which field (when known) and what."""

    def __init__(self, file: Path, field: str | None, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        super().__init__(file, field, problem)

    def __str__(self) -> str:
        where = _display(self.file) + (f": {self.field}" if self.field else "")
        return f"{where}: {self.problem}"


def _display(path: Path) -> str:
    # Relative to where the command runs, so it reads like "data/poses/child_pose.yaml".
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def default_data_dir() -> Path:
    """``$LIMBER_DATA_DIR`` when set, else the repository's ``data/``."""
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured) if configured else DEFAULT_DATA_DIR


def get_catalogue() -> Catalogue:
    """The catalogue from the default data directory, loaded once per directory."""
    return _load_once(default_data_dir().resolve())


@functools.cache
def _load_once(data_dir: Path) -> Catalogue:
    return load_catalogue(data_dir)


def load_catalogue(data_dir: Path) -> Catalogue:
    """Read and validate ``poses/*.yaml``, ``cautions.yaml`` and ``sources.yaml``."""
    sources_file = data_dir / SOURCES_FILE
    sources = _load_sources(sources_file)
    cautions_file = data_dir / CAUTIONS_FILE
    vocabulary = _validate(cautions_file, _read_mapping(cautions_file), CautionVocabulary)
    _check_sources(sources_file, sources)
    _check_vocabulary(cautions_file, vocabulary)

    poses_dir = data_dir / POSES_DIR
    if not poses_dir.is_dir():
        raise CatalogueError(poses_dir, None, "the poses directory is missing")
    files = sorted([*poses_dir.glob("*.yaml"), *poses_dir.glob("*.yml")])
    if not files:
        raise CatalogueError(poses_dir, None, "there are no pose files (*.yaml)")
    known_tags = {tag.tag for tag in vocabulary.tags}
    known_sources = {source.id for source in sources}
    poses: list[tuple[Path, Pose]] = []
    for file in files:
        pose = _load_pose(file)
        _check_pose_references(file, pose, known_tags, known_sources)
        poses.append((file, pose))
    _check_pose_ids(poses)
    _check_pose_names(poses)
    return Catalogue(
        poses=tuple(pose for _, pose in poses), vocabulary=vocabulary, sources=tuple(sources)
    )


# -- reading YAML -----------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice instead of silently keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"key {key!r} is given twice",
                key_node.start_mark,
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _read(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(file, None, "the file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(file, None, f"cannot be read: {exc}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise CatalogueError(file, None, _yaml_problem(exc)) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {what}"
    return f"YAML syntax error: {exc}"


def _read_mapping(file: Path) -> dict[str, Any]:
    raw = _read(file)
    if raw is None:
        raise CatalogueError(file, None, "the file is empty")
    if not isinstance(raw, dict):
        raise CatalogueError(file, None, f"expected a mapping of fields, got {_kind(raw)}")
    return raw


def _kind(value: Any) -> str:
    return {list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


# -- validating -------------------------------------------------------------------------


def _validate(
    file: Path,
    raw: Any,
    model: type[M],
    locate: Callable[[Any, str], str | None] | None = None,
    prefix: str = "",
) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(file, exc, raw, locate, prefix) from None


def _validation_error(
    file: Path,
    exc: ValidationError,
    raw: Any,
    locate: Callable[[Any, str], str | None] | None,
    prefix: str,
) -> CatalogueError:
    problems: list[tuple[str | None, str]] = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        message = _describe(error)
        if not path and locate is not None:
            path = locate(raw, message) or ""
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        problems.append((path or None, message))
    field, message = problems[0]
    others = [f"{f}: {m}" if f else m for f, m in problems[1:_MAX_PROBLEMS]]
    if others:
        message += " (also " + "; ".join(others) + ")"
    if len(problems) > _MAX_PROBLEMS:
        message += f" and {len(problems) - _MAX_PROBLEMS} more problems"
    return CatalogueError(file, field, message)


def _describe(error: ErrorDetails) -> str:
    kind, loc, value = error["type"], error["loc"], error["input"]
    if loc and loc[-1] == "unit" and len(loc) > 1 and loc[-2] == "hold" and kind == "missing":
        return "a hold needs a unit: breaths, seconds or reps"
    if loc and loc[-1] == "hold" and isinstance(value, int | float | str):
        return f"hold {value!r} has no unit: write it as {{unit: breaths|seconds|reps, amount: N}}"
    if kind == "missing":
        return "this required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (a typo, or a field the models do not have)"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a snake_case id (like 'child_pose')"
    if not isinstance(value, dict | list):
        message += f" (got {_short(value)})"
    return message


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _load_sources(file: Path) -> list[Source]:
    raw = _read(file)
    # Either a bare list of sources or a mapping with a ``sources`` list.
    items, prefix = raw, ""
    if isinstance(raw, dict):
        for key in raw:
            if key != "sources":
                raise CatalogueError(file, str(key), "unknown field (expected only 'sources')")
        items, prefix = raw.get("sources"), "sources"
    if not isinstance(items, list) or not items:
        raise CatalogueError(file, prefix or None, "expected a non-empty list of sources")
    return [
        _validate(file, item, Source, prefix=f"{prefix}.{i}" if prefix else str(i))
        for i, item in enumerate(items)
    ]


def _load_pose(file: Path) -> Pose:
    return _validate(file, _read_mapping(file), Pose, locate=_locate_pose_problem)


def _locate_pose_problem(raw: Any, message: str) -> str | None:
    """The field behind a pose-wide validation error, which pydantic reports without one."""
    if not isinstance(raw, dict):
        return None
    if "points to variation" in message:
        return next(_dangling_variations(raw), None)
    if "duplicate variation id" in message:
        return "variations"
    if "caution tag(s) listed twice" in message:
        return "cautions"
    if "per_side" in message:
        return "hold.per_side"
    return None


def _dangling_variations(raw: dict[str, Any]) -> Iterator[str]:
    variations = _list(raw.get("variations"))
    ids = {v.get("id") for v in variations if isinstance(v, dict)}
    groups = [("cautions", raw.get("cautions"))]
    groups += [
        (f"variations.{i}.cautions", v.get("cautions"))
        for i, v in enumerate(variations)
        if isinstance(v, dict)
    ]
    for where, cautions in groups:
        for i, caution in enumerate(_list(cautions)):
            if isinstance(caution, dict) and caution.get("variation") not in (None, *ids):
                yield f"{where}.{i}.variation"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- cross-references -------------------------------------------------------------------


def _unknown_tag(tag: str, known: Iterable[str]) -> str:
    return f"unknown caution tag {tag!r} (known: {', '.join(sorted(known))})"


def _check_sources(file: Path, sources: list[Source]) -> None:
    seen: set[str] = set()
    for i, source in enumerate(sources):
        if source.id in seen:
            raise CatalogueError(file, f"{i}.id", f"duplicate source id {source.id!r}")
        seen.add(source.id)


def _check_vocabulary(file: Path, vocabulary: CautionVocabulary) -> None:
    known = [tag.tag for tag in vocabulary.tags]
    for i, tag_id in enumerate(known):
        if tag_id in known[:i]:
            raise CatalogueError(file, f"tags.{i}.tag", f"duplicate caution tag {tag_id!r}")
    for i, rule in enumerate(vocabulary.rules):
        if rule.tag not in known:
            raise CatalogueError(file, f"rules.{i}.tag", _unknown_tag(rule.tag, known))
    red_flag_ids = [flag.id for flag in vocabulary.red_flags]
    for i, flag_id in enumerate(red_flag_ids):
        if flag_id in red_flag_ids[:i]:
            raise CatalogueError(file, f"red_flags.{i}.id", f"duplicate red flag {flag_id!r}")

    # Two tags answering to one phrase would make "/caution <phrase>" a coin toss.
    owners: dict[str, tuple[str, str]] = {}
    for i, tag in enumerate(vocabulary.tags):
        for field, phrase in tag_phrases(tag):
            key = phrase_key(phrase)
            if not key:
                continue
            owner = owners.setdefault(key, (tag.tag, phrase))
            if owner[0] != tag.tag:
                raise CatalogueError(
                    file,
                    f"tags.{i}.{field}",
                    f"{phrase!r} also names tag {owner[0]!r} (as {owner[1]!r})",
                )
    # Red flags are read before tags; one spelled like a tag would make the tag unreachable.
    for i, flag in enumerate(vocabulary.red_flags):
        for j, phrase in enumerate(flag.phrases):
            if not phrase_words(phrase):
                raise CatalogueError(
                    file, f"red_flags.{i}.phrases.{j}", f"{phrase!r} has no meaningful word"
                )
            if (clash := owners.get(phrase_key(phrase))) is not None:
                raise CatalogueError(
                    file,
                    f"red_flags.{i}.phrases.{j}",
                    f"{phrase!r} is also a phrase of caution tag {clash[0]!r}",
                )


def _check_pose_references(
    file: Path, pose: Pose, known_tags: set[str], known_sources: set[str]
) -> None:
    cautions: list[tuple[str, PoseCaution]] = [
        (f"cautions.{i}", c) for i, c in enumerate(pose.cautions)
    ]
    sources = [(f"sources.{i}", s) for i, s in enumerate(pose.sources)]
    for j, variation in enumerate(pose.variations):
        cautions += [(f"variations.{j}.cautions.{i}", c) for i, c in enumerate(variation.cautions)]
        sources += [(f"variations.{j}.sources.{i}", s) for i, s in enumerate(variation.sources)]
    for field, caution in cautions:
        if caution.tag not in known_tags:
            raise CatalogueError(file, f"{field}.tag", _unknown_tag(caution.tag, known_tags))
    for field, source in sources:
        if source not in known_sources:
            raise CatalogueError(
                file,
                field,
                f"unknown source id {source!r} (known: {', '.join(sorted(known_sources))})",
            )


def _check_pose_ids(poses: list[tuple[Path, Pose]]) -> None:
    seen: dict[str, Path] = {}
    for file, pose in poses:
        if pose.id in seen:
            raise CatalogueError(
                file, "id", f"duplicate pose id {pose.id!r} (also in {_display(seen[pose.id])})"
            )
        seen[pose.id] = file
        if pose.id != file.stem:
            raise CatalogueError(
                file, "id", f"id {pose.id!r} does not match the file name {file.name!r}"
            )


def _check_pose_names(poses: list[tuple[Path, Pose]]) -> None:
    # find_pose must never have to choose between two poses for a name typed in full.
    owners: dict[str, tuple[str, Path, str]] = {}
    for file, pose in poses:
        for field, name in pose_names(pose):
            key = name_key(name)
            owner = owners.setdefault(key, (pose.id, file, field))
            if owner[0] != pose.id:
                raise CatalogueError(
                    file,
                    field,
                    f"{name!r} also names pose {owner[0]!r} ({_display(owner[1])}: {owner[2]})",
                )
