"""The sign-in page lists the demo accounts only while the demo is served."""

from carestat import demo


def test_the_sign_in_page_lists_the_demo_accounts_in_demo_mode(client, db, settings):
    settings.CARESTAT_DEMO = True
    page = client.get("/sign-in/").content.decode()
    assert "Demo accounts" in page and demo.PASSWORD in page
    assert all(email in page for email, *_ in demo.SIGN_INS)


def test_the_sign_in_page_names_no_account_outside_demo_mode(client, db, settings):
    settings.CARESTAT_DEMO = False
    page = client.get("/sign-in/").content.decode()
    assert "Demo accounts" not in page and demo.PASSWORD not in page
