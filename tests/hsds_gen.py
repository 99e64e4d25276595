"""Generated HSDS packages too big to commit: a ~50 MB services.csv for the streaming check and
a directory of N organizations / M services for speed measurements."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

_SERVICE_COLUMNS = ["id", "organization_id", "name", "description", "status", "minimum_age",
                    "maximum_age", "email", "url"]
_TEXT = ("Помощь пострадавшим от торговли людьми: приют, юридическая консультация, "
         "психологическая поддержка. Көмек көрсету. ")


@dataclass(frozen=True)
class BigPackage:
    folder: Path
    rows: int
    bytes: int
    bad_line: int | None  # physical line of the one bad row (its status is not in the enum)


def _organizations(folder: Path, count: int, prefix: str = "") -> None:
    with (folder / "organizations.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "name", "description", "email", "website"])
        for i in range(count):
            out.writerow([f"{prefix}org-{i}", f"Организация {prefix}{i}", "НПО, Алматы",
                          f"info{i}@{prefix}example.kz", f"https://{prefix}org{i}.example.kz"])


def write_big_services_csv(folder: Path, target_bytes: int, bad_row_at_end: bool = True,
                           rows: int = 20_000) -> BigPackage:
    """organizations.csv (10 rows) and a services.csv of `rows` rows padded to about
    `target_bytes`; every description holds an embedded newline (a row spans two physical lines).
    With `bad_row_at_end`, the row 5 before the last has status "open" (not in the enum)."""
    folder.mkdir(parents=True, exist_ok=True)
    _organizations(folder, 10)
    per_row = max(target_bytes // rows - 140, 10)  # bytes of description text per row
    filler = _TEXT * (per_row // len(_TEXT) + 2)
    ratio = len(_TEXT.encode()) / len(_TEXT)  # bytes per character
    text = filler[: int(per_row / ratio)]
    bad_index = rows - 5 if bad_row_at_end else -1
    bad_line = None
    line = 1
    with (folder / "services.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(_SERVICE_COLUMNS)
        for i in range(rows):
            line += 1
            if i == bad_index:
                bad_line = line
            description = f"Service {i}.\n{text}"
            out.writerow([f"svc-{i}", f"org-{i % 10}", f"Услуга {i}", description,
                          "open" if i == bad_index else "active", 14, 65,
                          f"help{i}@example.kz", f"https://example.kz/s/{i}"])
            line += description.count("\n")
    size = sum(p.stat().st_size for p in folder.iterdir())
    return BigPackage(folder, rows, size, bad_line)


def write_directory(folder: Path, organizations: int = 20_000, services: int = 100_000,
                    prefix: str = "") -> int:
    """A valid package: organizations, one location each, services, one service_at_location
    each; every id and name starts with `prefix` (two packages with different prefixes share
    nothing). Returns the number of rows written."""
    folder.mkdir(parents=True, exist_ok=True)
    _organizations(folder, organizations, prefix)
    with (folder / "locations.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "organization_id", "location_type", "name", "latitude", "longitude"])
        for i in range(organizations):
            out.writerow([f"{prefix}loc-{i}", f"{prefix}org-{i}", "physical", f"Офис {prefix}{i}",
                          42.3 + (i % 100) / 100, 69.6 + (i % 100) / 100])
    with (folder / "services.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(_SERVICE_COLUMNS)
        for i in range(services):
            out.writerow([f"{prefix}svc-{i}", f"{prefix}org-{i % organizations}",
                          f"Услуга {prefix}{i}", _TEXT,
                          "active", 14, 65, f"help{i}@example.kz", f"https://example.kz/s/{i}"])
    with (folder / "service_at_location.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "service_id", "location_id", "description"])
        for i in range(services):
            out.writerow([f"{prefix}sal-{i}", f"{prefix}svc-{i}",
                          f"{prefix}loc-{i % organizations}", ""])
    return 2 * organizations + 2 * services
