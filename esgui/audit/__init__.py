"""Audit review (issue 4): tamper evidence, version diff, projection check,
export/import, account reports and review notes. Never imports Qt (reportlab only when
a PDF is written). See docs/audit.md."""

from esgui.audit.common import Cancelled, Progress, ShouldStop
from esgui.audit.diff import FieldChange, VersionDiff, diff_versions
from esgui.audit.export import ExportFilters, ExportSummary, export_events
from esgui.audit.importer import ImportConflict, ImportSummary, import_file
from esgui.audit.notes import ReviewNote, add_note, list_notes
from esgui.audit.projection_check import ProjectionReport, check_projection
from esgui.audit.report import AccountReport, build_report, write_report
from esgui.audit.verify import Problem, VerifyResult, verify_store

__all__ = [
    "AccountReport",
    "Cancelled",
    "ExportFilters",
    "ExportSummary",
    "FieldChange",
    "ImportConflict",
    "ImportSummary",
    "Problem",
    "Progress",
    "ProjectionReport",
    "ReviewNote",
    "ShouldStop",
    "VerifyResult",
    "VersionDiff",
    "add_note",
    "build_report",
    "check_projection",
    "diff_versions",
    "export_events",
    "import_file",
    "list_notes",
    "verify_store",
    "write_report",
]
