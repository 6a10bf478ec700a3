"""OpenAPI pieces the routes cannot derive: the scenario schema and the compressor example.

The evaluate endpoints parse their bodies themselves (so problems carry scenario paths); their
request schema is the scenario JSON schema (:func:`tco.core.scenario.scenario_json_schema`), its
definitions moved to ``components/schemas``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from tco.core.scenario import read_file, scenario_json_schema

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "compressor.yaml"
#: Request-body components are named ``<Model>Input`` (the response models keep plain names).
SUFFIX = "Input"
SCENARIO_REF = f"#/components/schemas/Scenario{SUFFIX}"


def ref(model: str) -> str:
    return f"#/components/schemas/{model}{SUFFIX}"


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                ref(v.removeprefix("#/$defs/"))
                if k == "$ref" and isinstance(v, str)
                else _rewrite(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


@cache
def scenario_components() -> dict[str, Any]:
    """The scenario schema and its definitions, as OpenAPI components."""
    schema = _rewrite(scenario_json_schema())
    defs: dict[str, Any] = schema.pop("$defs", {})
    return {f"Scenario{SUFFIX}": schema, **{f"{k}{SUFFIX}": v for k, v in defs.items()}}


@cache
def compressor_example() -> dict[str, Any] | None:
    if not EXAMPLE.is_file():
        return None
    data = read_file(EXAMPLE)
    return json.loads(json.dumps(data, default=str)) if isinstance(data, dict) else None


def scenario_body() -> dict[str, Any]:
    content: dict[str, Any] = {"schema": {"$ref": SCENARIO_REF}}
    example = compressor_example()
    if example is not None:
        content["examples"] = {
            "compressor": {
                "summary": "A 37 kW compressor: ours with FullCare, ours basic, a competitor",
                "value": example,
            }
        }
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


BATCH_PATH = "/v1/evaluate/batch"


def batch_body() -> dict[str, Any]:
    """The batch endpoint's request body; its ``maxItems`` is the configured limit, set when
    the document is generated (:func:`set_batch_limit`)."""
    content: dict[str, Any] = {
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["scenarios"],
            "properties": {
                "scenarios": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": SCENARIO_REF},
                }
            },
        }
    }
    example = compressor_example()
    if example is not None:
        content["examples"] = {
            "two": {
                "summary": "The compressor scenario twice",
                "value": {"scenarios": [example] * 2},
            }
        }
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


def set_batch_limit(doc: dict[str, Any], limit: int) -> None:
    """State the configured batch limit (``TCO_MAX_BATCH_SCENARIOS``) in the OpenAPI document."""
    operation = doc.get("paths", {}).get(BATCH_PATH, {}).get("post")
    if operation is None:
        return
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["scenarios"]["maxItems"] = limit
    operation["summary"] = f"Evaluate up to {limit:,} scenarios in one request"
    operation["description"] = (
        operation.get("description", "")
        + f" A batch holds at most {limit:,} scenarios (`TCO_MAX_BATCH_SCENARIOS`); more is a 422."
    ).strip()


def json_body(model: str, example: Any = None) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads a JSON body of ``model`` itself."""
    content: dict[str, Any] = {"schema": {"$ref": ref(model)}}
    if example is not None:
        content["examples"] = {"example": {"value": example}}
    return {"requestBody": {"required": True, "content": {"application/json": content}}}


def model_components() -> dict[str, Any]:
    """Schemas of the bodies the quote and catalog endpoints read themselves."""
    from pydantic.json_schema import models_json_schema

    from tco.quoting.catalog import Catalog
    from tco.quoting.desk import NOT_IN_TEMPLATE
    from tco.quoting.requests import QuoteRequest

    _, schema = models_json_schema([(QuoteRequest, "validation"), (Catalog, "validation")])
    defs: dict[str, Any] = _rewrite(schema.get("$defs", {}))
    # A template's request: a quote request whose customer, dates and title are left out
    # (they are dropped where given).
    template = dict(defs["QuoteRequest"])
    template["required"] = [r for r in template.get("required", []) if r not in NOT_IN_TEMPLATE]
    template["title"] = "QuoteTemplateRequest"
    defs["QuoteTemplateRequest"] = template
    return {f"{k}{SUFFIX}": v for k, v in defs.items()}


def install(
    app: FastAPI, extra_components: dict[str, Any] | None = None, *, batch_limit: int = 1000
) -> None:
    """Generate the schema once, with the scenario components merged in and the configured
    batch limit stated."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in {**scenario_components(), **(extra_components or {})}.items():
                if name in schemas and schemas[name] != schema:
                    raise RuntimeError(f"OpenAPI component {name} defined twice, differently")
                schemas.setdefault(name, schema)
            set_batch_limit(doc, batch_limit)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
