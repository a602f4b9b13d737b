"""JSON Schema validation of REST answers against eboekhouden/contracts/openapi-v1.json.

The contract's list envelopes point at item DTOs it does not define; those are filled in here from the item fields
that docs/eboekhouden.md lists (strict: no other properties). One deliberate change to the contract: ``MutationType``
is a string enum in the file, but its own examples and the live service send the type as a JSON number, so a number
1..7 is accepted as well.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from eboekhouden.sandbox.soap import WSDL_PATH

OPENAPI_PATH = WSDL_PATH.parent / "openapi-v1.json"
BASE = "urn:eboekhouden:openapi-v1"
STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}


def _strict(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _notes_dtos(doc: dict[str, Any]) -> dict[str, Any]:
    relation = copy.deepcopy(
        doc["paths"]["/v1/relation/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    relation["required"] = ["id", "type", "code", "name", "termOfPayment", "iban", "vatNumber", "inactive", "ledgerId"]
    relation["additionalProperties"] = False
    return {
        "AdministrationResponseDto": _strict({"guid": STRING, "company": STRING}),
        "LedgersResponseDto": _strict(
            {
                "id": INTEGER,
                "code": STRING,
                "description": STRING,
                "category": {"$ref": "#/components/schemas/Category"},
                "group": {"type": ["string", "null"]},
            }
        ),
        "LedgerBalanceResponseDto": _strict({"code": STRING, "type": STRING, "balance": NUMBER}),
        "MutationsResponseDto": _strict(
            {
                "id": INTEGER,
                "type": {"type": "integer", "minimum": 0, "maximum": 7},
                "date": DATE,
                "invoiceNumber": STRING,
                "ledgerId": INTEGER,
                "amount": NUMBER,
                "entryNumber": STRING,
            }
        ),
        "OutstandingInvoiceDto": _strict(
            {
                "date": DATE,
                "mutationId": INTEGER,
                "invoiceNumber": STRING,
                "relationId": INTEGER,
                "relationCode": STRING,
                "company": STRING,
                "totalAmount": NUMBER,
                "paidAmount": NUMBER,
                "outstandingAmount": NUMBER,
            }
        ),
        "RelationsResponseDto": relation,
        "CostCenterSearchResponseDto": _strict(
            {"id": INTEGER, "description": STRING, "parentId": INTEGER, "active": {"type": "boolean"}}
        ),
    }


@lru_cache(maxsize=1)
def _registry() -> Registry:
    doc = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    for name, schema in _notes_dtos(doc).items():
        assert name not in schemas, f"the contract now defines {name}: use it"
        schemas[name] = schema
    schemas["MutationType"] = {"anyOf": [schemas["MutationType"], {"type": "integer", "minimum": 1, "maximum": 7}]}
    return Registry().with_resource(BASE, DRAFT202012.create_resource(doc))


def _pointer(path: str, method: str, status: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"{BASE}#/paths/{escaped}/{method}/responses/{status}/content/application~1json/schema"


def validate(body: Any, path: str, method: str = "get", status: str = "200") -> None:
    """Raise jsonschema.ValidationError unless ``body`` fits the contract's response schema."""
    schema = {"$ref": _pointer(path, method, status)}
    Draft202012Validator(schema, registry=_registry(), format_checker=FormatChecker()).validate(body)


def validate_error(body: Any, status: int) -> None:
    name = "SecurityError" if body.get("type") == "security" else "Error"
    schema = {"$ref": f"{BASE}#/components/schemas/{name}"}
    Draft202012Validator(schema, registry=_registry()).validate(body)
    assert body["status"] == status
