"""The pose catalogue: models, loading and validating ``data/``, lookups and the safety rules.

Pure: imports neither telegram nor sqlalchemy.
"""

from bot.catalogue.catalogue import (
    Catalogue,
    CautionParse,
    PoseMatch,
    RedFlagFound,
    TagFound,
    UnknownCaution,
)
from bot.catalogue.loader import (
    DATA_DIR_ENV,
    DEFAULT_DATA_DIR,
    CatalogueError,
    default_data_dir,
    get_catalogue,
    load_catalogue,
)
from bot.catalogue.models import (
    CautionRule,
    CautionTag,
    CautionVocabulary,
    Hold,
    Pose,
    PoseCaution,
    RedFlag,
    Source,
    Variation,
    normalise,
)
from bot.catalogue.render import describe_effect, describe_hold, pose_card
from bot.catalogue.safety import Assessment, Verdict, assess, effective_cautions

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_DATA_DIR",
    "Assessment",
    "Catalogue",
    "CatalogueError",
    "CautionParse",
    "CautionRule",
    "CautionTag",
    "CautionVocabulary",
    "Hold",
    "Pose",
    "PoseCaution",
    "PoseMatch",
    "RedFlag",
    "RedFlagFound",
    "Source",
    "TagFound",
    "UnknownCaution",
    "Variation",
    "Verdict",
    "assess",
    "default_data_dir",
    "describe_effect",
    "describe_hold",
    "effective_cautions",
    "get_catalogue",
    "load_catalogue",
    "normalise",
    "pose_card",
]
