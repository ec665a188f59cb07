"""The catalogue of indicators at /indicators/: every indicator, grouped by source, for any
signed-in user."""

import html

import pytest

from saferschools.outcomes.models import Indicator

pytestmark = pytest.mark.django_db

URL = "/indicators/"


def test_every_indicator_grouped_by_source(client, practitioner, django_assert_max_num_queries):
    client.force_login(practitioner)
    client.get(URL)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    headings = [
        page.index(f'<h2 class="govuk-heading-m" id="{source}">{label}</h2>')
        for source, label in Indicator.Source.choices
    ]
    assert headings == sorted(headings)
    for indicator in Indicator.objects.all():
        row = page.index(f'<tr class="govuk-table__row" id="{indicator.code}">')
        section = max(h for h in headings if h < row)
        assert section == headings[Indicator.Source.values.index(indicator.source)]
        assert indicator.name in page
        assert indicator.description in page
    assert "Imported from published or partner data: 10 indicators" in page
    assert "NI 111" in page and "Per 100,000 young people" in page


def test_signed_out_it_asks_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


def test_it_only_reads(client, practitioner):
    client.force_login(practitioner)
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 200
