from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.identity import profile
from imagify.models.api import TokenTransaction
from imagify.models.common import Cursor, Limit, Page
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.get("/me/token-transactions")
@tracer.capture_method
def list_transactions(
    limit: Annotated[Limit, Query()] = 20, cursor: Annotated[Cursor, Query()] = None
) -> Page[TokenTransaction]:
    rows, next_cursor = profile.token_transactions(caller(app).user_id, limit, cursor)
    return Page[TokenTransaction](items=[TokenTransaction.from_row(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
