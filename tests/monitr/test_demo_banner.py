"""What `make demo` prints: the URL, the login and the sandbox's keys, one administration a line, in columns."""

from __future__ import annotations

from io import StringIO

from monitr.web.management.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, Command

SANDBOX = {
    "restUrl": "http://127.0.0.1:8765",
    "soapUrl": "http://127.0.0.1:8765/soap.asmx",
    "administrations": [
        {
            "company": "Gouda Hoveniers B.V.",
            "apiToken": "token-one",
            "username": "sandbox1",
            "securityCode1": "CODE1A",
            "securityCode2": "CODE2A",
        },
        {
            "company": "Adviesbedrijf El Amrani Holding B.V.",
            "apiToken": "token-two",
            "username": "sandbox2",
            "securityCode1": "CODE1B",
            "securityCode2": "CODE2B",
        },
    ],
}


def banner() -> list[str]:
    out = StringIO()
    Command(stdout=out).print_banner(8000, SANDBOX)
    return out.getvalue().splitlines()


def test_the_banner_gives_the_url_the_login_and_both_kinds_of_credentials():
    text = "\n".join(banner())

    assert "http://127.0.0.1:8000/" in text
    assert DEMO_EMAIL in text and DEMO_PASSWORD in text
    assert "token-one" in text and "token-two" in text
    assert "sandbox2 / CODE1B / CODE2B" in text


def test_the_keys_stand_in_one_column_however_long_the_company_name():
    lines = banner()
    tokens = [line.index("token-one") for line in lines if "token-one" in line]
    tokens += [line.index("token-two") for line in lines if "token-two" in line]

    assert len(tokens) == 2 and tokens[0] == tokens[1]
