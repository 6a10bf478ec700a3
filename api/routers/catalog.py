"""The tenant's catalog: products and service plans for everyone; a new version for admins."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse

from api import quoting
from api.deps import AdminDep, ConfiguratorDep, JsonBody, UowDep, actor
from api.openapi import json_body
from api.problems import problem_responses
from api.schemas import CatalogImport, CatalogInfo, ProductList, ServicePlanList

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])
READ = problem_responses(401, 403, 404)


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


@router.put(
    "",
    summary="Import a catalog as a new version (admin)",
    description=(
        "The whole catalog (products, service_plans, price_books, defaults). A catalog equal to "
        "the latest version makes no new one (200); otherwise 201. Saved quotes keep their "
        "snapshot."
    ),
    response_model=CatalogImport,
    status_code=201,
    responses={200: {"model": CatalogImport}, **problem_responses(401, 403, 413, 422)},
    openapi_extra=json_body("Catalog"),
)
def import_catalog(body: JsonBody, uow: UowDep, caller: AdminDep) -> JSONResponse:
    outcome = quoting.import_catalog(uow, body, by=actor(caller))
    return JSONResponse(
        outcome.model_dump(mode="json"), status_code=201 if outcome.created else 200
    )
