"""Volunteer fields from a form or a CSV row, checked before anything is saved.

The CSV columns are fixed English names, so one file imports whatever
language the console shows: name, phone, languages, skills, neighbourhoods,
days, from, until. Lists inside a cell may be separated by commas, semicolons
or spaces.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from db.people import LANGUAGES, SKILLS
from db.phone_numbers import InvalidPhoneNumber, normalize_phone
from db.volunteer_profiles import WEEKDAYS, parse_clock
from gateway.console.i18n import gettext

CSV_COLUMNS = ("name", "phone", "languages", "skills", "neighbourhoods", "days", "from", "until")
REQUIRED_COLUMNS = ("name", "phone")
NAME_MAX_LENGTH = 120
# A centre has tens of volunteers, so these bounds only stop a wrong file early.
MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 2000

_LIST_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass
class VolunteerFields:
    """Checked values of one volunteer, ready to store."""

    name: str
    phone: str  # E.164
    languages: list[str]
    skills: list[str]
    neighbourhoods: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)
    available_from: str | None = None
    available_until: str | None = None


@dataclass
class ImportRow:
    """One data row of an import file: its line number, the checked fields or the reasons it is rejected."""

    line: int
    raw: dict
    fields: VolunteerFields | None
    errors: list[str]
    action: str = ""  # "add" or "update", set by the preview


def split_cell(value: str | None) -> list[str]:
    return [item for item in _LIST_SEPARATORS.split((value or "").strip().lower()) if item]


def check_volunteer(raw: dict, country: str) -> tuple[VolunteerFields | None, list[str]]:
    """Check a mapping of CSV column names to text; return the fields or translated reasons."""
    errors = []
    name = " ".join((raw.get("name") or "").split())
    if not name:
        errors.append(gettext("The name is missing."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.append(gettext("The name is longer than {count} characters.", count=NAME_MAX_LENGTH))

    phone = ""
    if not (raw.get("phone") or "").strip():
        errors.append(gettext("The phone number is missing."))
    else:
        try:
            phone = normalize_phone(raw["phone"], country)
        except InvalidPhoneNumber:
            errors.append(gettext("The phone number {value} is invalid.", value=raw["phone"].strip()))

    languages = split_cell(raw.get("languages"))
    unknown = [code for code in languages if code not in LANGUAGES]
    if not languages:
        errors.append(gettext("No language is given: use {codes}.", codes=", ".join(LANGUAGES)))
    elif unknown:
        errors.append(gettext("Unknown language {value}: use {codes}.", value=", ".join(unknown), codes=", ".join(LANGUAGES)))

    # No skill given means both, as for `hotline volunteer add`.
    skills = split_cell(raw.get("skills")) or list(SKILLS)
    unknown = [skill for skill in skills if skill not in SKILLS]
    if unknown:
        errors.append(gettext("Unknown skill {value}: use {codes}.", value=", ".join(unknown), codes=", ".join(SKILLS)))

    days, day_error = _read_days(raw.get("days"))
    if day_error:
        errors.append(day_error)

    times = {}
    for column in ("from", "until"):
        try:
            clock = parse_clock(raw.get(column))
        except ValueError:
            errors.append(gettext("The time {value} is invalid: write it like 09:30.", value=(raw.get(column) or "").strip()))
            continue
        times[column] = clock.strftime("%H:%M") if clock else None

    if errors:
        return None, errors
    neighbourhoods = [item.strip() for item in re.split(r"[;,]", raw.get("neighbourhoods") or "") if item.strip()]
    return VolunteerFields(
        name=name, phone=phone, languages=_unique(languages), skills=_unique(skills), neighbourhoods=neighbourhoods,
        days=days, available_from=times.get("from"), available_until=times.get("until"),
    ), []


def _read_days(value: str | None) -> tuple[list[str], str | None]:
    """Read "mon,wed" or "mon-fri"; an empty cell means every day."""
    days: list[str] = []
    for item in split_cell(value):
        first, _, last = item.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            return [], gettext("Unknown day {value}: use {codes}.", value=item, codes=", ".join(WEEKDAYS))
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if end < start:
            return [], gettext("Unknown day {value}: use {codes}.", value=item, codes=", ".join(WEEKDAYS))
        days += WEEKDAYS[start:end + 1]
    return [day for day in WEEKDAYS if day in days], None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def decode_upload(data: bytes) -> str:
    """Return the text of an uploaded CSV; raise ValueError with a translated reason."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValueError(gettext("The file is larger than one megabyte; split it into smaller files."))
    try:
        # utf-8-sig drops the byte order mark that spreadsheet programs write.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(gettext("The file is not in {encoding} encoding. Save it again as a {encoding} {extension} file and try again.",
                                 encoding="utf-8", extension=".csv")) from None


def read_import(text: str, country: str) -> list[ImportRow]:
    """Parse and check every row of a volunteers CSV; raise ValueError with a translated reason for the whole file."""
    if not text.strip():
        raise ValueError(gettext("The file is empty."))
    try:
        # Spreadsheets set to a European locale write semicolons between columns.
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ValueError(gettext("The first line must name the columns; missing: {columns}.", columns=", ".join(missing)))
    reader.fieldnames = header

    rows = []
    seen_phones: dict[str, int] = {}
    for raw in reader:
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ValueError(gettext("The file has more than {count} rows.", count=MAX_IMPORT_ROWS))
        values = {key: (value or "") for key, value in raw.items() if key in CSV_COLUMNS}
        if not any(value.strip() for value in values.values()):
            continue
        fields, errors = check_volunteer(values, country)
        if fields is not None and fields.phone in seen_phones:
            errors = [gettext("The same phone number is on line {line}.", line=seen_phones[fields.phone])]
            fields = None
        if fields is not None:
            seen_phones[fields.phone] = reader.line_num
        rows.append(ImportRow(line=reader.line_num, raw=values, fields=fields, errors=errors))
    return rows


def write_export(rows: list[tuple], output: io.StringIO) -> None:
    """Write volunteers as CSV that read_import takes back, with their state and task counts."""
    writer = csv.writer(output)
    writer.writerow([*CSV_COLUMNS, "state", "open_tasks", "completed_tasks"])
    for volunteer, profile, state, open_tasks, completed in rows:
        writer.writerow([
            volunteer.name, volunteer.phone, ",".join(volunteer.language_list), ",".join(volunteer.skill_list),
            "; ".join(profile.neighbourhood_list) if profile else "", ",".join(profile.day_list) if profile else "",
            (profile.available_from or "") if profile else "", (profile.available_until or "") if profile else "",
            state, open_tasks, completed,
        ])
