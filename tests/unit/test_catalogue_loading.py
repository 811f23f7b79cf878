"""The catalogue loads, and a broken data file stops start-up naming the file and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.catalogue import (
    DATA_DIR_ENV,
    DEFAULT_DATA_DIR,
    Catalogue,
    CatalogueError,
    default_data_dir,
    effective_cautions,
    load_catalogue,
)

# -- the real catalogue -------------------------------------------------------------------


def test_the_real_catalogue_validates(catalogue: Catalogue) -> None:
    assert len(catalogue.poses) >= 25
    assert catalogue.vocabulary.red_flags


def test_pose_ids_are_unique_and_match_their_files(catalogue: Catalogue) -> None:
    ids = [pose.id for pose in catalogue.poses]
    assert len(ids) == len(set(ids))
    files = {file.stem for file in (DEFAULT_DATA_DIR / "poses").glob("*.y*ml")}
    assert set(ids) == files


def test_every_caution_tag_used_exists(catalogue: Catalogue) -> None:
    known = {tag.tag for tag in catalogue.vocabulary.tags}
    used = {rule.tag for rule in catalogue.vocabulary.rules}
    for pose in catalogue.poses:
        used |= {caution.tag for caution in pose.cautions}
        for variation in pose.variations:
            used |= {caution.tag for caution in variation.cautions}
            used |= {c.tag for c in effective_cautions(pose, variation, catalogue.vocabulary)}
    assert used <= known, f"unknown tags: {sorted(used - known)}"


def test_every_pose_and_source_cited_exists(catalogue: Catalogue) -> None:
    for pose in catalogue.poses:
        for source_id in [*pose.sources, *(s for v in pose.variations for s in v.sources)]:
            assert catalogue.source(source_id).title


def test_every_source_is_cited_by_some_pose(catalogue: Catalogue) -> None:
    cited = {source_id for pose in catalogue.poses for source_id in pose.sources}
    assert {source.id for source in catalogue.sources} <= cited


def test_the_data_directory_can_be_moved_with_an_environment_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert default_data_dir() == DEFAULT_DATA_DIR
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert default_data_dir() == tmp_path


# -- broken data files --------------------------------------------------------------------


class DataDir:
    """A writable copy of the fixture catalogue, for breaking one thing at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def edit(self, relative: str, change: Callable[[dict[str, Any]], object]) -> None:
        file = self.path / relative
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        change(data)
        file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        (self.path / relative).write_text(text, encoding="utf-8")

    def error(self) -> CatalogueError:
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(self.path)
        return caught.value


@pytest.fixture
def data(tmp_path: Path, valid_fixture_dir: Path) -> DataDir:
    shutil.copytree(valid_fixture_dir, tmp_path / "data")
    return DataDir(tmp_path / "data")


def test_the_untouched_fixture_loads(data: DataDir) -> None:
    assert len(load_catalogue(data.path).poses) == 4


def test_an_unknown_caution_tag_names_file_field_and_the_known_tags(data: DataDir) -> None:
    data.edit("poses/folded_leaf.yaml", lambda pose: pose["cautions"][0].update(tag="knees"))
    error = data.error()
    assert error.file == data.path / "poses" / "folded_leaf.yaml"
    assert error.field == "cautions.0.tag"
    assert str(error).endswith(
        "poses/folded_leaf.yaml: cautions.0.tag: unknown caution tag 'knees' "
        "(known: ankle, high_blood_pressure, knee, pregnancy, wrists)"
    )


def test_an_unknown_caution_tag_in_a_variation_is_caught(data: DataDir) -> None:
    data.edit(
        "poses/hip_opener.yaml",
        lambda pose: pose["variations"][0]["cautions"][0].update(tag="pregnant"),
    )
    error = data.error()
    assert error.file.name == "hip_opener.yaml"
    assert error.field == "variations.0.cautions.0.tag"


def test_an_unknown_caution_tag_in_a_rule_is_caught(data: DataDir) -> None:
    data.edit("cautions.yaml", lambda vocabulary: vocabulary["rules"][1].update(tag="bp"))
    error = data.error()
    assert (error.file.name, error.field) == ("cautions.yaml", "rules.1.tag")
    assert "unknown caution tag 'bp'" in str(error)


def test_an_unknown_source_is_caught(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose.update(sources=["article_three"]))
    error = data.error()
    assert (error.file.name, error.field) == ("hanging_fold.yaml", "sources.0")
    assert "unknown source id 'article_three'" in str(error)


def test_a_duplicate_pose_id_names_both_files(data: DataDir) -> None:
    shutil.copy(data.path / "poses" / "desk_fold.yaml", data.path / "poses" / "desk_fold.yml")
    error = data.error()
    assert error.field == "id"
    assert "duplicate pose id 'desk_fold'" in str(error)
    assert "desk_fold.yaml" in str(error)
    assert error.file.name == "desk_fold.yml"


def test_a_pose_id_must_match_its_file_name(data: DataDir) -> None:
    data.edit("poses/desk_fold.yaml", lambda pose: pose.update(id="hanging_fold"))
    error = data.error()
    assert (error.file.name, error.field) == ("desk_fold.yaml", "id")


def test_a_missing_field_is_named(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose.pop("steps"))
    error = data.error()
    assert (error.file.name, error.field) == ("hanging_fold.yaml", "steps")
    assert "missing" in error.problem


def test_an_extra_field_is_named(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose.update(colour="blue"))
    error = data.error()
    assert (error.file.name, error.field) == ("hanging_fold.yaml", "colour")
    assert "unknown field" in error.problem


def test_a_wrong_type_is_named_with_the_value(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose["hold"].update(amount="lots"))
    error = data.error()
    assert (error.file.name, error.field) == ("hanging_fold.yaml", "hold.amount")
    assert "'lots'" in error.problem


def test_a_wrong_value_in_a_nested_list_gets_a_dotted_path(data: DataDir) -> None:
    data.edit(
        "poses/hip_opener.yaml",
        lambda pose: pose["variations"][1].update(places=["chair", "garden"]),
    )
    assert data.error().field == "variations.1.places.1"


def test_a_hold_without_a_unit_is_caught(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose["hold"].pop("unit"))
    error = data.error()
    assert (error.file.name, error.field) == ("hanging_fold.yaml", "hold.unit")
    assert "breaths, seconds or reps" in error.problem


def test_a_bare_number_as_hold_is_caught_as_missing_its_unit(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose.update(hold=30))
    error = data.error()
    assert error.field == "hold"
    assert "no unit" in error.problem


def test_a_caution_pointing_to_a_missing_variation_names_the_field(data: DataDir) -> None:
    data.edit(
        "poses/hip_opener.yaml", lambda pose: pose["cautions"][1].update(variation="on_a_chair")
    )
    error = data.error()
    assert (error.file.name, error.field) == ("hip_opener.yaml", "cautions.1.variation")
    assert "'on_a_chair'" in error.problem


def test_a_yaml_syntax_error_gives_the_line(data: DataDir) -> None:
    data.write("poses/hanging_fold.yaml", "id: hanging_fold\nname: [Hanging fold\nkind: stretch\n")
    error = data.error()
    assert error.file.name == "hanging_fold.yaml"
    assert error.field is None
    assert "YAML syntax error at line" in error.problem


def test_a_key_given_twice_is_an_error_not_a_silent_overwrite(data: DataDir) -> None:
    text = (data.path / "poses" / "hanging_fold.yaml").read_text(encoding="utf-8")
    data.write("poses/hanging_fold.yaml", text + "kind: rest\n")
    assert "'kind' is given twice" in data.error().problem


def test_an_empty_pose_file_is_caught(data: DataDir) -> None:
    data.write("poses/hanging_fold.yaml", "")
    assert data.error().problem == "the file is empty"


def test_a_missing_vocabulary_file_is_caught(data: DataDir) -> None:
    (data.path / "cautions.yaml").unlink()
    error = data.error()
    assert (error.file.name, error.problem) == ("cautions.yaml", "the file is missing")


def test_two_poses_answering_to_one_name_is_caught(data: DataDir) -> None:
    data.edit("poses/hanging_fold.yaml", lambda pose: pose.update(aliases=["Supported fold"]))
    error = data.error()
    # Files load in name order, so the second claimant (hanging_fold) is the one named.
    assert (error.file.name, error.field) == ("hanging_fold.yaml", "aliases.0")
    assert "also names pose 'desk_fold'" in error.problem


def test_two_tags_answering_to_one_synonym_is_caught(data: DataDir) -> None:
    data.edit(
        "cautions.yaml", lambda vocabulary: vocabulary["tags"][2]["synonyms"].append("Bad knee")
    )
    error = data.error()
    assert (error.file.name, error.field) == ("cautions.yaml", "tags.2.synonyms.2")
    assert "also names tag 'knee'" in error.problem


def test_a_red_flag_spelled_like_a_caution_is_caught(data: DataDir) -> None:
    data.edit(
        "cautions.yaml",
        lambda vocabulary: vocabulary["red_flags"][0]["phrases"].append("carpal tunnel"),
    )
    assert data.error().field == "red_flags.0.phrases.2"
