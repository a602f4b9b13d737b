"""Filters written into parameter names, and paging through them, as the contract's Filters section says."""

from __future__ import annotations

import pytest

from .helpers import Rest


@pytest.fixture(scope="module")
def everything(eboekhouden_sandbox_shared):
    rest = Rest(eboekhouden_sandbox_shared, eboekhouden_sandbox_shared.administrations[0])
    return rest, rest.all("/v1/mutation")


def ids(items) -> list[int]:
    return [item["id"] for item in items]


def test_a_date_range_is_inclusive(everything) -> None:
    rest, items = everything
    found = rest.all("/v1/mutation", **{"date[range]": "2024-03-01,2024-03-31"})
    assert ids(found) == ids(i for i in items if "2024-03-01" <= i["date"] <= "2024-03-31")
    assert found


@pytest.mark.parametrize(
    ("operator", "keep"),
    [
        ("gt", lambda d: d > "2025-06-15"),
        ("gte", lambda d: d >= "2025-06-15"),
        ("lt", lambda d: d < "2023-02-01"),
        ("lte", lambda d: d <= "2023-02-01"),
        ("eq", lambda d: d == "2023-01-01"),
        ("not_eq", lambda d: d != "2023-01-01"),
    ],
)
def test_date_comparisons_filter_the_mutation_list(everything, operator, keep) -> None:
    rest, items = everything
    value = {"gt": "2025-06-15", "gte": "2025-06-15", "lt": "2023-02-01", "lte": "2023-02-01"}.get(
        operator, "2023-01-01"
    )
    found = rest.all("/v1/mutation", **{f"date[{operator}]": value})
    assert ids(found) == ids(i for i in items if keep(i["date"]))


def test_a_plain_parameter_means_equal(everything) -> None:
    rest, items = everything
    assert ids(rest.all("/v1/mutation", type=4)) == ids(i for i in items if i["type"] == 4)


def test_number_filters_take_ranges_and_comparisons(everything) -> None:
    rest, _ = everything
    assert ids(rest.all("/v1/mutation", **{"id[range]": "10,14"})) == [10, 11, 12, 13, 14]
    assert ids(rest.all("/v1/mutation", **{"id[gt]": "395"})) == [396, 397, 398, 399, 400]
    assert 0 not in ids(rest.all("/v1/mutation", **{"type[not_eq]": "0"}))


def test_like_takes_percent_and_question_mark_wildcards(everything) -> None:
    rest, items = everything
    number = next(i["invoiceNumber"] for i in items if i["type"] == 2)
    prefix = number.split("-")[0]
    found = rest.all("/v1/mutation", **{"invoiceNumber[like]": f"{prefix}-2024-%"})
    assert found and all(i["invoiceNumber"].startswith(f"{prefix}-2024-") for i in found)
    one_char = rest.all("/v1/mutation", **{"invoiceNumber[like]": number[:-1] + "?"})
    assert number in [i["invoiceNumber"] for i in one_char]
    excluded = rest.all("/v1/mutation", **{"invoiceNumber[not_like]": "%-%"})
    assert all("-" not in i["invoiceNumber"] for i in excluded)


def test_a_description_filter_finds_mutations_without_showing_descriptions(everything) -> None:
    rest, _ = everything
    found = rest.all("/v1/mutation", **{"description[like]": "Memoriaal%"})
    assert found and {i["type"] for i in found} == {7}


def test_filters_combine(everything) -> None:
    rest, items = everything
    found = rest.all("/v1/mutation", type=2, **{"date[range]": "2024-01-01,2024-12-31"})
    assert ids(found) == ids(i for i in items if i["type"] == 2 and i["date"].startswith("2024"))


@pytest.mark.parametrize(
    "params", [{"date[range]": "2024-01-01"}, {"date": "yesterday"}, {"id[like]": "1%"}, {"type": "x"}]
)
def test_a_bad_filter_answers_err_002(everything, params) -> None:
    rest, _ = everything
    response = rest.get("/v1/mutation", **params)
    assert (response.status_code, response.json()["code"]) == (400, "ERR_002")


def test_unknown_parameters_are_ignored(everything) -> None:
    rest, items = everything
    assert len(rest.all("/v1/mutation", colour="blue")) == len(items)


def test_count_is_the_number_of_matching_items_and_pages_do_not_overlap(everything) -> None:
    rest, items = everything
    first = rest.json("/v1/mutation", limit=150)
    second = rest.json("/v1/mutation", limit=150, offset=150)
    assert first["count"] == second["count"] == len(items)
    assert ids(first["items"]) + ids(second["items"]) == ids(items[:300])
    assert rest.json("/v1/mutation", offset=len(items))["items"] == []


def test_ledgers_relations_and_cost_centres_filter_too(everything) -> None:
    rest, _ = everything
    assert [lg["code"] for lg in rest.json("/v1/ledger", category="FIN")["items"]] == ["1000", "1100", "1110"]
    assert [lg["code"] for lg in rest.json("/v1/ledger", **{"code[like]": "15%"})["items"]][:2] == ["1500", "1510"]
    persons = rest.all("/v1/relation", type="P")
    assert persons and {r["type"] for r in persons} == {"P"}
    city = persons[0]["city"]
    assert all(r["city"] == city for r in rest.all("/v1/relation", city=city))
    parent = next(c for c in rest.json("/v1/costcenter")["items"] if c["parentId"])["parentId"]
    children = rest.json("/v1/costcenter", parentId=str(parent))["items"]
    assert children and {c["parentId"] for c in children} == {parent}


def test_outstanding_items_filter_by_invoice_number(everything) -> None:
    rest, _ = everything
    item = rest.json("/v1/mutation/invoice/outstanding", credDeb="C")["items"][0]
    found = rest.json("/v1/mutation/invoice/outstanding", credDeb="C", invoiceNumber=item["invoiceNumber"])
    assert [i["mutationId"] for i in found["items"]] == [item["mutationId"]]


def test_a_date_range_follows_a_mutation_whose_date_was_changed(
    eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    """The date index behind ``date[range]`` is rebuilt after a change: an edited date moves the mutation."""
    admin = eboekhouden_sandbox_administration
    rest = Rest(eboekhouden_sandbox, admin)
    march = {"date[range]": "2024-03-01,2024-03-31"}
    moved = ids(rest.all("/v1/mutation", **march))[-1]
    eboekhouden_sandbox.edit_mutation(admin.guid, moved, {"date": "2024-07-04"})

    assert moved not in ids(rest.all("/v1/mutation", **march))
    july = rest.all("/v1/mutation", **{"date[range]": "2024-07-04,2024-07-04"})
    assert moved in ids(july)
    assert ids(july) == sorted(ids(july))  # in id order, as the unfiltered list
