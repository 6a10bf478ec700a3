"""The tenant's catalog: products and service plans for everyone; a new version for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse

from api import quoting
from api.deps import AdminDep, ConfiguratorDep, JsonBody, UowDep, actor
from api.openapi import json_body
from api.problems import problem_responses
from api.schemas import CatalogImportReport, CatalogInfo, ProductList, ServicePlanList
from tco import services

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])
READ = problem_responses(401, 403, 404, 503)


@router.get("", summary="The latest catalog version", response_model=CatalogInfo, responses=READ)
def show_catalog(uow: UowDep, _caller: ConfiguratorDep) -> CatalogInfo:
    return quoting.catalog_info(uow)


@router.get("/products", summary="Products", response_model=ProductList, responses=READ)
def list_products(uow: UowDep, _caller: ConfiguratorDep) -> ProductList:
    return quoting.products(uow)


@router.get(
    "/service-plans", summary="Service plans", response_model=ServicePlanList, responses=READ
)
def list_service_plans(uow: UowDep, _caller: ConfiguratorDep) -> ServicePlanList:
    return quoting.service_plans(uow)


Replace = Annotated[
    bool,
    Query(
        description=(
            "true: the body is the whole new catalog, and products, service plans and price "
            "books it does not name are removed. false (default): the body is added to the "
            "latest version; its items replace those with the same sku, code or id, new ones "
            "are added, the others are kept, and the defaults it gives override field by field."
        )
    ),
]


@router.put(
    "",
    summary="Import catalog items (or with replace=true a whole catalog) as a new version (admin)",
    description=(
        "A catalog document (products, service_plans, price_books, defaults). By default it is "
        "merged into the latest version; with `replace=true` it is the whole catalog. The "
        "resulting catalog is validated as a whole: a problem (a price book entry naming an "
        "unknown item, a plan code equal to a sku, ...) is a 422 naming it by path, and nothing "
        "is saved. A result equal to the latest version makes no new one (200); otherwise 201. "
        "The response says what was added, changed and removed. Saved quotes keep their "
        "snapshot."
    ),
    response_model=CatalogImportReport,
    status_code=201,
    responses={200: {"model": CatalogImportReport}, **problem_responses(401, 403, 413, 422, 503)},
    openapi_extra=json_body("Catalog"),
)
def import_catalog(
    body: JsonBody, uow: UowDep, caller: AdminDep, replace: Replace = False
) -> JSONResponse:
    outcome = services.import_catalog_data(
        uow, body, source="api", by=actor(caller), replace=replace
    )
    report = CatalogImportReport(
        created=outcome.created,
        version=outcome.version,
        previous_version=outcome.previous,
        changes=outcome.changes,
    )
    return JSONResponse(report.model_dump(mode="json"), status_code=201 if outcome.created else 200)
