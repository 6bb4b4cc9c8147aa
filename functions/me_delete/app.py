from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from imagify.identity import profile
from imagify.models.identity import MeDeleteInput
from imagify.settings import CorsSettings, DatabaseSettings, StorageSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, StorageSettings)
app = resolver()


@app.delete(
    "/me",
    summary="Delete my account",
    description=(
        "Deletes the caller's account and everything of it (generations, wardrobe, advice, uploads). An account with "
        "a password confirms it."
    ),
    tags=["me"],
    responses=responses(
        204,
        "the account and everything of it is gone",
        errors={403: "`forbidden`: the password is missing or wrong", 404: NOT_FOUND, 503: UNAVAILABLE},
    ),
)
def delete_me(body: Annotated[MeDeleteInput | None, Body()] = None) -> Response[None]:
    profile.delete_me(caller(app).user_id, body.password if body else None)
    return Response(status_code=204)


handler = api_handler(app)
