"""Raw rows -> canonical rows -> database, for every source (files, Google Sheets, demo).

``map_columns`` (columns.py) decides which raw column feeds which canonical field, ``validate_rows``
(rows.py) turns each raw row into a canonical row or a rejection with a sentence a person can act
on, and ``import_tables`` (store.py) stores everything in one transaction: a crash or a bad file
leaves the previous data exactly as it was. What an import did is an ``ImportResult`` (results.py).

Only a missing or unreadable *required* field rejects a row. An optional field that cannot be
read is stored empty and the row gets a warning (``FieldWarning``) naming the sheet, row,
column and value and saying what to do; warnings are stored beside the rejections.
"""

from dashboard.importer.columns import ColumnMap, map_columns, normalise_header, question_of, refuse_other_tables_sheet
from dashboard.importer.results import (
    STORED,
    STORED_WITH_REJECTS,
    STORED_WITH_WARNINGS,
    FieldWarning,
    ImportFailed,
    ImportResult,
    Rejection,
    overall_status,
)
from dashboard.importer.rows import Validation, generated_response_id, validate_rows
from dashboard.importer.store import (
    APPLICATION_PARTS,
    IMPORT_ACTIONS,
    TableInput,
    import_frame,
    import_tables,
    record_failed_run,
)

__all__ = [
    "APPLICATION_PARTS",
    "IMPORT_ACTIONS",
    "STORED",
    "STORED_WITH_REJECTS",
    "STORED_WITH_WARNINGS",
    "ColumnMap",
    "FieldWarning",
    "ImportFailed",
    "ImportResult",
    "Rejection",
    "TableInput",
    "Validation",
    "generated_response_id",
    "import_frame",
    "import_tables",
    "map_columns",
    "normalise_header",
    "overall_status",
    "question_of",
    "record_failed_run",
    "refuse_other_tables_sheet",
    "validate_rows",
]
