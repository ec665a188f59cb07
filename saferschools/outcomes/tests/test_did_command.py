"""``python manage.py evaluate_did``: JSON for a good file, a clear error and a non-zero exit
(never a traceback) for a bad file or column."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .test_did import panel

MANAGE = Path(__file__).resolve().parents[3] / "manage.py"
COLUMNS = ["--unit", "school", "--time", "year", "--treated", "ssp", "--outcome", "absence"]


def write(tmp_path: Path, text: str | bytes, name: str = "panel.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def panel_csv(rows: list[dict] | None = None) -> str:
    lines = ["school,year,ssp,absence"]
    for row in rows if rows is not None else panel():
        lines.append(f"{row['unit']},{row['time']},{row['treated']},{row['outcome']}")
    return "\n".join(lines) + "\n"


def run(path: Path, *options: str) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("evaluate_did", str(path), *(options or COLUMNS), stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_a_file_gives_the_estimate_as_json(tmp_path):
    result, said = run(write(tmp_path, panel_csv()))
    assert list(result) == [
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "n_units",
        "n_periods",
    ]
    assert result["estimate"] == pytest.approx(-2.0, abs=0.3)
    assert (result["n_units"], result["n_periods"]) == (6, 4)
    assert said == ""


def test_rows_without_an_outcome_are_left_out_and_said(tmp_path):
    text = panel_csv().replace("school 0,1,0,10.6", "school 0,1,0,", 1)
    text = "\ufeff" + text.replace("\n", "\r\n")  # as a spreadsheet saves it
    result, said = run(write(tmp_path, text))
    assert result["n_units"] == 6
    assert said.strip() == "1 row without an outcome left out; 23 used."


def test_a_windows_1252_file_is_read(tmp_path):
    rows = [{**row, "unit": row["unit"].replace("school", "école")} for row in panel()]
    result, _ = run(write(tmp_path, panel_csv(rows).encode("cp1252")))
    assert result["n_units"] == 6


@pytest.mark.parametrize(
    "text, options, message",
    [
        ("", COLUMNS, "is empty."),
        (
            "school,year,ssp\nA,1,0\n",
            COLUMNS,
            "(--outcome absence): There is no column named “absence”.",
        ),
        ("school,year,ssp,absence\n", COLUMNS, ": There are no rows to estimate from."),
        (
            "school,school,ssp,absence\nA,1,0,2\n",
            COLUMNS,
            ", line 1: the column “school” appears twice.",
        ),
        (
            "school,year,ssp,absence\nA,1,0\n",
            COLUMNS,
            ", line 2: 3 fields where the header has 4.",
        ),
        (
            "school,year,ssp,absence\nA,1,2,3\n",
            COLUMNS,
            ", line 2 (--treated ssp): The treatment must be 1 (under the intervention) or 0, not “2”.",
        ),
        (
            "school,year,ssp,absence\nA,1,0,1e999999\n",
            COLUMNS,
            ", line 2 (--outcome absence): The outcome must be a number, not “1e999999”.",
        ),
        (
            "school,year,ssp,absence\nA,1,0,\x00\n",
            COLUMNS,
            ", line 2 (--outcome absence): The outcome must be a number",
        ),
    ],
)
def test_bad_files_and_columns_are_named(tmp_path, text, options, message):
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as caught:
        run(path, *options)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_a_design_problem_is_named_with_its_column(tmp_path):
    rows = [{**row, "treated": 0} for row in panel()]
    with pytest.raises(CommandError) as caught:
        run(write(tmp_path, panel_csv(rows)))
    assert str(caught.value).endswith("(--treated ssp): No row with an outcome is treated (1).")


def test_a_file_that_is_not_text_or_not_there(tmp_path):
    with pytest.raises(CommandError) as caught:
        run(tmp_path / "missing.csv")
    assert "cannot be read: No such file or directory." in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(write(tmp_path, b"school\n\x81\x8d\x8f\x90\x9d\n"))
    assert "the file is neither UTF-8 nor Windows-1252 text" in str(caught.value)


def test_from_the_shell_a_bad_file_exits_non_zero_without_a_traceback(tmp_path):
    path = write(tmp_path, "school,year,ssp,absence\nA,1,yes,3\n")
    completed = subprocess.run(  # noqa: S603 - our own command, with arguments we chose
        [sys.executable, str(MANAGE), "evaluate_did", str(path), *COLUMNS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    assert "line 2 (--treated ssp): The treatment must be 1" in completed.stderr
