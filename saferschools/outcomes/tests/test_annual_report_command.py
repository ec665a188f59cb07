"""``manage.py annual_report PARTNERSHIP_ID YEAR --pdf OUT.pdf``: the same PDF as the page's,
and clear errors with a non-zero exit for what is wrong."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from saferschools.core.models import AuditAction, AuditEvent
from saferschools.outcomes.annual_report_services import ReportInput, annual_report_save

from .annual_report_world import NOW, YEAR, make_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def year(world, persona):
    made = make_year(world, persona)
    annual_report_save(
        actor=made.head,
        partnership=made.partnership,
        year=YEAR,
        data=ReportInput(
            summary="The first full year.",
            successes="Patrols at the bus stop.",
            case_studies="A group of pupils ran a safety week.",
            further_work="Online bullying.",
            priorities="Journeys home.",
            resources="The officer full time.",
        ),
        source="test",
    )
    return made


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("given", ["2025", "2025/26"])
def test_the_pdf_is_written_with_every_section(tmp_path, world, year, given):
    out = tmp_path / "report.pdf"
    stdout = io.StringIO()

    call_command("annual_report", str(world.p.pk), given, "--pdf", str(out), stdout=stdout)

    assert "Wrote the annual report of Horley SSP for 2025/26" in stdout.getvalue()
    text = pdf_text(out)
    for expected in (
        "Annual report and business plan 2025/26",
        "Summary",
        "Partners and governance",
        "The officers' activity",
        "Pupils' reports and incidents",
        "Casework and information sharing",
        "The work-plan",
        "Indicators against baseline and target",
        "Evaluation",
        "The first full year.",
        "Patrols at the bus stop.",
        "A group of pupils ran a safety week.",
        "Online bullying.",
        "Journeys home.",
        "The officer full time.",
    ):
        assert expected in text, expected
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.source, event.actor_id) == ("command:annual_report", None)


@pytest.mark.parametrize(
    ("partnership", "given", "message"),
    [
        ("not-a-uuid", "2025", "PARTNERSHIP_ID: “not-a-uuid” is not a partnership's id"),
        ("6f1c1a0e-8d8b-4c57-9c3b-7c9a6f0f0f0f", "2025", "PARTNERSHIP_ID: no partnership has"),
        (None, "2025/27", "YEAR: “2025/27” is not an academic year"),
        (None, "1e999999", "YEAR: “1e999999” is not an academic year"),
        (None, "2019", "YEAR: There is no report for 2019/20"),
        (None, "", "YEAR: Give the academic year"),
    ],
)
def test_bad_arguments_are_clear_errors(tmp_path, world, year, partnership, given, message):
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("annual_report", partnership or str(world.p.pk), given, "--pdf", str(out))
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_file_that_cannot_be_written_is_a_clear_error(tmp_path, world, year):
    with pytest.raises(CommandError, match="--pdf: cannot write"):
        call_command(
            "annual_report", str(world.p.pk), "2025", "--pdf", str(tmp_path / "no" / "x.pdf")
        )
    with pytest.raises(CommandError, match="--pdf: cannot write"):
        call_command("annual_report", str(world.p.pk), "2025", "--pdf", str(tmp_path))


def test_the_command_exits_non_zero_without_a_traceback(tmp_path):
    done = subprocess.run(  # noqa: S603 - the project's own manage.py
        [
            sys.executable,
            "manage.py",
            "annual_report",
            "nope",
            "2025",
            "--pdf",
            str(tmp_path / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
        check=False,
    )
    assert done.returncode != 0
    assert "PARTNERSHIP_ID" in done.stderr
    assert "Traceback" not in done.stderr
