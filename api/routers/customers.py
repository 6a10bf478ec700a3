"""Customer records over HTTP: list, create, show (with the totals of its quotes) and replace.

Every endpoint needs a sales key and sees only the key's tenant: another tenant's customer is
a 404. Quotes point to a customer with ``customer: {"id": ...}`` in their request; list them with
``GET /v1/quotes?customer_id=...``. Handlers parse, call :mod:`tco.desk_services`, return.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import JSONResponse

from api.deps import SalesDep, UowDep, actor
from api.problems import problem_responses
from api.schemas import PipelineTotals, totals_of
from tco import desk_services as ds
from tco.quoting.customers import CustomerFields, CustomerRecord

router = APIRouter(prefix="/v1/customers", tags=["customers"])

CustomerId = Annotated[int, Path(ge=1, le=2**31 - 1)]
READ = problem_responses(401, 403, 404, 422, 503)
WRITE = problem_responses(401, 403, 404, 409, 413, 422, 503)


class CustomerList(BaseModel):
    items: list[CustomerRecord]
    total: int


class CustomerView(BaseModel):
    """A customer record and the totals of its quotes per currency (all and open ones)."""

    customer: CustomerRecord
    quotes: int
    totals: list[PipelineTotals]


@router.get(
    "", summary="The tenant's customer records", response_model=CustomerList, responses=READ
)
def list_customers(
    uow: UowDep,
    _caller: SalesDep,
    q: Annotated[str | None, Query(max_length=200, description="part of name or reference")] = None,
) -> CustomerList:
    items = ds.customers(uow, q or None)
    return CustomerList(items=items, total=len(items))


@router.post(
    "",
    status_code=201,
    summary="Add a customer record (company, segment, reference, sites, contacts)",
    response_model=CustomerRecord,
    responses=WRITE,
)
def create_customer(body: CustomerFields, uow: UowDep, caller: SalesDep) -> JSONResponse:
    record = ds.create_customer(uow, body.model_dump(mode="json"), by=actor(caller))
    return JSONResponse(
        record.model_dump(mode="json"),
        status_code=201,
        headers={"Location": f"/v1/customers/{record.id}"},
    )


@router.get(
    "/{customer_id}",
    summary="A customer record and the totals of its quotes",
    response_model=CustomerView,
    responses=READ,
)
def show_customer(customer_id: CustomerId, uow: UowDep, _caller: SalesDep) -> CustomerView:
    record = ds.customer(uow, customer_id)
    pipe = ds.pipeline(uow, customer_id=customer_id)
    return CustomerView(customer=record, quotes=len(pipe.rows), totals=totals_of(pipe.totals))


@router.put(
    "/{customer_id}",
    summary="Replace a customer record (its quotes follow a new name)",
    response_model=CustomerRecord,
    responses=WRITE,
)
def replace_customer(
    customer_id: CustomerId, body: CustomerFields, uow: UowDep, caller: SalesDep
) -> CustomerRecord:
    return ds.replace_customer(uow, customer_id, body.model_dump(mode="json"), by=actor(caller))
