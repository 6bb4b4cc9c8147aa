from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from imagify.identity import profile
from imagify.models.common import Cursor, Limit, Page
from imagify.models.identity import TokenTransaction
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/me/token-transactions",
    summary="My token history",
    description=(
        "The caller's ledger, newest first: every grant, charge and refund with the balance after it; keyset pages."
    ),
    tags=["me"],
    responses=responses(200, "a page of the ledger", errors={503: UNAVAILABLE}),
)
def list_transactions(
    limit: Annotated[Limit, Query()] = 20, cursor: Annotated[Cursor, Query()] = None
) -> Page[TokenTransaction]:
    rows, next_cursor = profile.token_transactions(caller(app).user_id, limit, cursor)
    return Page[TokenTransaction](items=[TokenTransaction.model_validate(r) for r in rows], next_cursor=next_cursor)


handler = api_handler(app)
