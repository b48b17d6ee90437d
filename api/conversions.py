"""Conversions over HTTP: a school records (one or a batch) and reverses its students'
conversions of certificates into course credits.

Every path needs a bearer token. A conversion the rules forbid is 409 or 422 with a code
naming the rule (see api/credit_bank.py).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter, RawBody
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from api.auth import CHECKS_EXIT
from api.credit_bank import AUTH_ERRORS
from api.errors import error_spec
from api.params import ApiController, fields_named, query_checked
from api.school_lists import ConversionListMixin
from api.sheets import sheet_as_csv
from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import check_token
from ledger.domain.credit_bank import (
    Converted,
)
from ledger.domain.csv_uploads import parse_conversion_rows
from schemas.credit_bank import (
    ConversionBatch,
    ConversionBatchRecorded,
    ConversionRequest,
    ConversionView,
)

__all__ = ["ConversionController"]


_REFUSALS = {
    **AUTH_ERRORS,
    HTTP_409_CONFLICT: error_spec("The state forbids it (revoked, converted before, ...)."),
    HTTP_422_UNPROCESSABLE_ENTITY: error_spec("The rules forbid it; code names the rule."),
}


_MAX_BATCH_BODY = 16 * 1_048_576


def _converted(item: Converted) -> ConversionView:
    return msgspec.convert(item, ConversionView, from_attributes=True)


def _batch_response(
    batch: str, converted: list[Converted], replayed: bool
) -> Response[ConversionBatchRecorded]:
    body = ConversionBatchRecorded(
        batch_id=batch,
        recorded=len(converted),
        replayed=replayed,
        conversions=[_converted(item) for item in converted],
    )
    return Response(body, status_code=HTTP_200_OK if replayed else HTTP_201_CREATED)


class ConversionController(ConversionListMixin, ApiController):
    """Conversions of certificates into course credits of a programme."""

    path = "/conversions"
    tags = ["credit bank"]  # noqa: RUF012 - Litestar reads class attributes

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
        opt={CHECKS_EXIT: True},
        summary="Record a conversion",
        description=(
            "The school, for its own student, under the latest version of one of its rules "
            "(the entry cites the version). Refusals are 409 or 422 with a code."
        ),
        responses={**_REFUSALS},
    )
    def convert(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[ConversionRequest],
    ) -> ConversionView:
        """Record the conversion in the body."""
        with fields_named():
            converted = ledger.credit_bank.convert(
                principal,
                account=data.account,
                certificate=data.certificate,
                rule=data.rule,
                programme=data.programme,
            )
        return _converted(converted)

    @post(
        "/batch",
        sync_to_thread=True,
        request_max_body_size=_MAX_BATCH_BODY,
        opt={CHECKS_EXIT: True},
        summary="Record a batch of conversions",
        description=(
            "All or none: 422 lists every refused row with its code. A retry with the same "
            "batch_id and rows records nothing and answers 200 with the first answer."
        ),
        responses={**_REFUSALS},
    )
    def convert_batch(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        data: JSONBody[ConversionBatch],
    ) -> Response[ConversionBatchRecorded]:
        """Record the conversions in the body."""
        rows = [
            {
                "account": r.account,
                "certificate": r.certificate,
                "rule": r.rule,
                "programme": r.programme,
            }
            for r in data.rows
        ]
        converted, replayed = ledger.credit_bank.convert_batch(principal, data.batch_id, rows)
        return _batch_response(data.batch_id, converted, replayed)

    @post(
        "/batch.csv",
        sync_to_thread=True,
        request_max_body_size=_MAX_BATCH_BODY,
        opt={CHECKS_EXIT: True},
        summary="Record a batch of conversions from a CSV file",
        description="Columns account, certificate, rule, programme (or 学习账号, 证书编号, "
        "转换规则, 专业); CSV in UTF-8 or GB 18030, or an .xlsx workbook (its first sheet).",
        responses={**_REFUSALS},
    )
    def convert_csv(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        body: RawBody,
        batch_id: Annotated[str, QueryParameter(min_length=1, max_length=64)],
    ) -> Response[ConversionBatchRecorded]:
        """Record the conversions of the CSV body."""
        batch = query_checked("batch_id", batch_id, lambda v, _f: check_token("batch_id", v))
        with fields_named():
            rows = parse_conversion_rows(sheet_as_csv(body))
        converted, replayed = ledger.credit_bank.convert_batch(principal, str(batch), rows)
        return _batch_response(str(batch), converted, replayed)
