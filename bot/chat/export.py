"""/export's files: everything stored about a person as JSON, and their activity log as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from bot.storage.repo import PersonRecords

EXPORT_VERSION = 1
# The log's columns, in the order a spreadsheet shows them; at_local is added for reading.
CSV_COLUMNS = ("id", "at", "at_local", "kind", "minutes", "score", "pose_id", "run_id")


def _plain(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def export_json(records: PersonRecords, exported_at: datetime) -> bytes:
    document = {
        "format": "limber-export",
        "version": EXPORT_VERSION,
        "exported_at": exported_at,
        "person": records.person,
        "schedule": records.schedule,
        "cautions": records.cautions,
        "painful_poses": records.painful_poses,
        "routine_runs": records.routine_runs,
        "activity": records.activity,
    }
    return json.dumps(document, default=_plain, indent=2, ensure_ascii=False).encode()


def activity_csv(activity: Sequence[dict[str, Any]], zone: tzinfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for entry in activity:
        at: datetime = entry["at"]
        row = {
            **{key: "" if value is None else value for key, value in entry.items()},
            "at": at.isoformat(),
            "at_local": at.astimezone(zone).isoformat(),
        }
        writer.writerow(row)
    # Excel reads UTF-8 only with the byte-order mark; other tools skip it.
    return buffer.getvalue().encode("utf-8-sig")
