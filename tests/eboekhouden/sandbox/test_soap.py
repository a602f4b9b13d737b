"""The SOAP API: zeep, loaded with the repository's soap.wsdl, round-trips every operation on SOAP 1.1 and 1.2."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import requests
import zeep

from .helpers import Rest, soap_login, soap_service

BINDINGS = ["soapAppSoap", "soapAppSoap12"]
ALL_DATES = {"DatumVan": datetime(2000, 1, 1), "DatumTm": datetime(2100, 1, 1)}


@pytest.fixture
def admin(eboekhouden_sandbox):
    return eboekhouden_sandbox.administrations[0]


@pytest.fixture(params=BINDINGS)
def soap(request, eboekhouden_sandbox, admin):
    service = soap_service(eboekhouden_sandbox, request.param)
    return service, soap_login(service, admin), admin.security_code_2


def ok(result) -> None:
    assert not result.ErrorMsg.LastErrorCode, result.ErrorMsg


def test_get_administraties_lists_the_logins_administrations(soap, eboekhouden_sandbox) -> None:
    service, session, code = soap
    result = service.GetAdministraties(SessionID=session, SecurityCode2=code)
    ok(result)
    assert [a.Guid for a in result.Administraties.cAdministratie] == [
        a.guid for a in eboekhouden_sandbox.administrations[:3]
    ]
    assert result.Administraties.cAdministratie[0].StartBoekjaar == "2023"


def test_get_grootboekrekeningen_gives_the_chart_and_filters_it(soap) -> None:
    service, session, code = soap
    everything = service.GetGrootboekrekeningen(SessionID=session, SecurityCode2=code, cFilter={"ID": 0})
    ok(everything)
    assert len(everything.Rekeningen.cGrootboekrekening) == 35
    debtors = service.GetGrootboekrekeningen(
        SessionID=session, SecurityCode2=code, cFilter={"ID": 0, "Categorie": "DEB"}
    )
    assert [r.Code for r in debtors.Rekeningen.cGrootboekrekening] == ["1300"]


def test_get_mutaties_gives_whole_mutations_in_a_number_window(soap) -> None:
    service, session, code = soap
    result = service.GetMutaties(
        SessionID=session,
        SecurityCode2=code,
        cFilter={"MutatieNr": 0, "MutatieNrVan": 10, "MutatieNrTm": 19, **ALL_DATES},
    )
    ok(result)
    mutations = result.Mutaties.cMutatieList
    assert [m.MutatieNr for m in mutations] == list(range(10, 20))
    for mutation in mutations:
        for row in mutation.MutatieRegels.cMutatieListRegel:
            assert row.BedragExclBTW + row.BedragBTW == row.BedragInclBTW
            assert isinstance(row.BedragInclBTW, Decimal)


def test_get_mutaties_answers_at_most_the_last_500(eboekhouden_sandbox_factory) -> None:
    sandbox = eboekhouden_sandbox_factory(mutations=700, administrations=1)
    admin = sandbox.administrations[0]
    service = soap_service(sandbox)
    result = service.GetMutaties(
        SessionID=soap_login(service, admin), SecurityCode2=admin.security_code_2, cFilter={"MutatieNr": 0, **ALL_DATES}
    )
    assert [m.MutatieNr for m in result.Mutaties.cMutatieList] == list(range(201, 701))


def test_get_mutaties_filters_by_date_and_invoice_number(soap) -> None:
    service, session, code = soap
    in_march = service.GetMutaties(
        SessionID=session,
        SecurityCode2=code,
        cFilter={"MutatieNr": 0, "DatumVan": datetime(2025, 3, 1), "DatumTm": datetime(2025, 3, 31)},
    ).Mutaties.cMutatieList
    assert in_march and all(m.Datum.date().isoformat().startswith("2025-03") for m in in_march)
    number = next(m.Factuurnummer for m in in_march if m.Factuurnummer)
    by_invoice = service.GetMutaties(
        SessionID=session, SecurityCode2=code, cFilter={"MutatieNr": 0, "Factuurnummer": number, **ALL_DATES}
    ).Mutaties.cMutatieList
    assert by_invoice and all(number in m.Factuurnummer.split(",") for m in by_invoice)


def test_get_open_posten_lists_debtors_and_creditors(soap) -> None:
    service, session, code = soap
    for kind in ("Debiteuren", "Crediteuren"):
        result = service.GetOpenPosten(SessionID=session, SecurityCode2=code, OpSoort=kind)
        ok(result)
        for item in result.Openposten.cOpenPost:
            assert round(item.Bedrag - item.Voldaan, 2) == item.Openstaand


def test_get_relaties_searches_by_keyword_code_and_id(soap) -> None:
    service, session, code = soap
    everyone = service.GetRelaties(SessionID=session, SecurityCode2=code, cFilter={"ID": 0}).Relaties.cRelatie
    first = everyone[0]
    by_code = service.GetRelaties(SessionID=session, SecurityCode2=code, cFilter={"ID": 0, "Code": first.Code})
    assert [r.ID for r in by_code.Relaties.cRelatie] == [first.ID]
    by_id = service.GetRelaties(SessionID=session, SecurityCode2=code, cFilter={"ID": first.ID})
    assert [r.Code for r in by_id.Relaties.cRelatie] == [first.Code]
    word = first.Bedrijf.split()[0]
    found = service.GetRelaties(SessionID=session, SecurityCode2=code, cFilter={"ID": 0, "Trefwoord": word})
    assert first.ID in [r.ID for r in found.Relaties.cRelatie]


def test_get_saldi_and_get_saldo_give_balances_over_a_period(soap) -> None:
    service, session, code = soap
    period = {"KostenPlaatsId": 0, "DatumVan": datetime(2025, 1, 1), "DatumTot": datetime(2025, 12, 31)}
    saldi = service.GetSaldi(SessionID=session, SecurityCode2=code, cFilter=period)
    ok(saldi)
    bank = next(s for s in saldi.Saldi.cSaldo if s.Code == "1100")
    saldo = service.GetSaldo(SessionID=session, SecurityCode2=code, cFilter={"GbCode": "1100", **period})
    ok(saldo)
    assert saldo.Saldo == bank.Saldo
    assert round(sum(s.Saldo for s in saldi.Saldi.cSaldo), 2) == 0


def test_get_kostenplaatsen_lists_cost_centres_with_parents(soap) -> None:
    service, session, code = soap
    result = service.GetKostenplaatsen(SessionID=session, SecurityCode2=code, cFilter={})
    ok(result)
    centres = result.Kostenplaatsen.cKostenplaats
    assert len(centres) == 6 and any(c.KostenplaatsParentId for c in centres)


def test_open_session_sub_opens_a_linked_administration(eboekhouden_sandbox, admin) -> None:
    service = soap_service(eboekhouden_sandbox)
    linked = eboekhouden_sandbox.administrations[1]
    result = service.OpenSessionSub(
        Username=admin.username,
        SecurityCode1=admin.security_code_1,
        SecurityCode2=admin.security_code_2,
        Source="Monitr",
        AdministratieGUID=linked.guid,
    )
    ok(result)
    ledgers = service.GetGrootboekrekeningen(
        SessionID=result.SessionID, SecurityCode2=admin.security_code_2, cFilter={"ID": 0}
    )
    own = service.GetGrootboekrekeningen(
        SessionID=soap_login(service, admin), SecurityCode2=admin.security_code_2, cFilter={"ID": 0}
    )
    assert {r.ID for r in ledgers.Rekeningen.cGrootboekrekening} != {r.ID for r in own.Rekeningen.cGrootboekrekening}


def test_open_session_sub_refuses_an_administration_of_another_login(
    eboekhouden_sandbox, admin, eboekhouden_sandbox_administration
) -> None:
    result = soap_service(eboekhouden_sandbox).OpenSessionSub(
        Username=admin.username,
        SecurityCode1=admin.security_code_1,
        SecurityCode2=admin.security_code_2,
        Source="Monitr",
        AdministratieGUID=eboekhouden_sandbox_administration.guid,
    )
    assert result.ErrorMsg.LastErrorCode == "ERR_ADMINISTRATIE" and not result.SessionID


def test_wrong_credentials_answer_an_error_message(eboekhouden_sandbox, admin) -> None:
    result = soap_service(eboekhouden_sandbox).OpenSession(
        Username=admin.username, SecurityCode1="wrong", SecurityCode2=admin.security_code_2, Source="Monitr"
    )
    assert result.ErrorMsg.LastErrorCode == "ERR_LOGIN" and not result.SessionID


@pytest.mark.parametrize("codes", [("wrongé", None), (None, "ключ-🔑")])
def test_non_ascii_security_codes_answer_the_login_error(eboekhouden_sandbox, admin, codes) -> None:
    code_1, code_2 = codes
    result = soap_service(eboekhouden_sandbox).OpenSession(
        Username=admin.username,
        SecurityCode1=code_1 or admin.security_code_1,
        SecurityCode2=code_2 or admin.security_code_2,
        Source="Monitr",
    )
    assert result.ErrorMsg.LastErrorCode == "ERR_LOGIN" and not result.SessionID


def test_a_closed_session_answers_an_error_message(soap) -> None:
    service, session, code = soap
    service.CloseSession(SessionID=session)
    result = service.GetAdministraties(SessionID=session, SecurityCode2=code)
    assert result.ErrorMsg.LastErrorCode == "ERR_SESSION"


def test_a_wrong_security_code_2_answers_an_error_message(soap) -> None:
    service, session, _ = soap
    result = service.GetGrootboekrekeningen(SessionID=session, SecurityCode2="wrong", cFilter={"ID": 0})
    assert result.ErrorMsg.LastErrorCode == "ERR_SECURITYCODE2" and result.Rekeningen is None


# -- the WSDL and leniency ------------------------------------------------------------------------------------------
def test_the_wsdl_is_served_with_the_sandboxs_own_address(eboekhouden_sandbox, admin) -> None:
    text = requests.get(eboekhouden_sandbox.wsdl_url, timeout=10).text
    assert text.count(f'location="{eboekhouden_sandbox.soap_url}"') == 2
    assert "soap.e-boekhouden.nl" not in text
    client = zeep.Client(eboekhouden_sandbox.wsdl_url)
    ok(
        client.service.GetAdministraties(
            SessionID=soap_login(client.service, admin), SecurityCode2=admin.security_code_2
        )
    )


def raw_call(sandbox, body: str, version: str = "1.1") -> requests.Response:
    if version == "1.2":
        envelope = "http://www.w3.org/2003/05/soap-envelope"
        headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
    else:
        envelope = "http://schemas.xmlsoap.org/soap/envelope/"
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"http://www.e-boekhouden.nl/soap/X"'}
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{envelope}"><soap:Body>{body}'
        "</soap:Body></soap:Envelope>"
    )
    return requests.post(sandbox.soap_url, data=xml.encode(), headers=headers, timeout=10)


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_session_opens_without_source_and_filters_may_be_left_out(eboekhouden_sandbox, admin, version) -> None:
    ns = 'xmlns="http://www.e-boekhouden.nl/soap"'
    opened = raw_call(
        eboekhouden_sandbox,
        f"<OpenSession {ns}><Username>{admin.username}</Username>"
        f"<SecurityCode1>{admin.security_code_1}</SecurityCode1>"
        f"<SecurityCode2>{admin.security_code_2}</SecurityCode2></OpenSession>",
        version,
    )
    assert opened.status_code == 200
    assert ("application/soap+xml" if version == "1.2" else "text/xml") in opened.headers["Content-Type"]
    session = opened.text.split("<SessionID>")[1].split("</SessionID>")[0]
    answer = raw_call(
        eboekhouden_sandbox,
        f"<GetMutaties {ns}><SessionID>{session}</SessionID>"
        f"<SecurityCode2>{admin.security_code_2}</SecurityCode2><cFilter /></GetMutaties>",
        version,
    )
    assert answer.status_code == 200 and answer.text.count("<cMutatieList>") == 401


def test_a_request_that_is_not_soap_answers_a_soap_fault(eboekhouden_sandbox) -> None:
    response = requests.post(
        eboekhouden_sandbox.soap_url, data=b"not xml", headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert response.status_code == 500 and "<faultstring>" in response.text


# -- both APIs serve the same data ----------------------------------------------------------------------------------
def test_soap_and_rest_serve_the_same_mutations_balances_and_open_items(eboekhouden_sandbox, admin) -> None:
    service = soap_service(eboekhouden_sandbox)
    session, code = soap_login(service, admin), admin.security_code_2
    rest = Rest(eboekhouden_sandbox, admin)
    soap_mutations = service.GetMutaties(
        SessionID=session,
        SecurityCode2=code,
        cFilter={"MutatieNr": 0, "MutatieNrVan": 1, "MutatieNrTm": 60, **ALL_DATES},
    )
    codes = {lg["id"]: lg["code"] for lg in rest.json("/v1/ledger")["items"]}
    for mutation in soap_mutations.Mutaties.cMutatieList:
        detail = rest.json(f"/v1/mutation/{mutation.MutatieNr}")
        assert mutation.Rekening == codes[detail["ledgerId"]]
        assert [(r.TegenrekeningCode, r.BedragInvoer) for r in mutation.MutatieRegels.cMutatieListRegel] == [
            (codes[row["ledgerId"]], row["amount"]) for row in detail["rows"]
        ]
    period = {"KostenPlaatsId": 0, "DatumVan": datetime(2024, 1, 1), "DatumTot": datetime(2024, 6, 30)}
    saldi = service.GetSaldi(SessionID=session, SecurityCode2=code, cFilter=period).Saldi.cSaldo
    balances = rest.json("/v1/ledger/balances", **{"from": "2024-01-01", "to": "2024-06-30"})["items"]
    assert {s.Code: Decimal(str(s.Saldo)) for s in saldi} == {b["code"]: b["balance"] for b in balances}
    open_posts = service.GetOpenPosten(SessionID=session, SecurityCode2=code, OpSoort="Debiteuren").Openposten
    outstanding = rest.json("/v1/mutation/invoice/outstanding", credDeb="D", limit=2000)["items"]
    assert [(p.MutFactuur, Decimal(str(p.Openstaand))) for p in open_posts.cOpenPost] == [
        (item["invoiceNumber"], item["outstandingAmount"]) for item in outstanding
    ]
