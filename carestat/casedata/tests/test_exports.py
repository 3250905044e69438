import csv
import io

from carestat.casedata.models import Submission, SubmissionProblem


def test_the_problems_csv_turns_values_from_the_uploaded_file_into_plain_text(client, demoshire, viewer):
    # A validation message quotes what was in the file, and the file came from outside.
    sub = Submission.objects.create(organisation=demoshire, format="cin", files=["CIN_Census_2024.xml"],
                                    status="rejected", rejection_reason="test")
    SubmissionProblem.objects.create(submission=sub, severity="error", file="CIN_Census_2024.xml",
                                     location="-2+3", field="@SUM(A1)", rule="8500",
                                     message='=HYPERLINK("http://x","y")')
    client.force_login(viewer)
    rows = list(csv.reader(io.StringIO(client.get(f"/o/demoshire/data/{sub.pk}/problems.csv").content.decode())))
    assert rows[1] == ["error", "CIN_Census_2024.xml", "'-2+3", "'@SUM(A1)", "8500", "'=HYPERLINK(\"http://x\",\"y\")"]
