from typing import Annotated
from uuid import UUID

from aws_lambda_powertools.event_handler.openapi.params import Path

from imagify.generations import service
from imagify.models.generations import Generation
from imagify.settings import CorsSettings, DatabaseSettings, require
from imagify.web import NOT_FOUND, UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings)
app = resolver()


@app.get(
    "/generations/<generation_id>",
    summary="Read a generation",
    description=(
        "One of the caller's generations with its status, its charge and, once completed, its result image. Poll it "
        "after `POST /generations`."
    ),
    tags=["generations"],
    responses=responses(200, "the generation", errors={404: NOT_FOUND, 503: UNAVAILABLE}),
)
def get_generation(generation_id: Annotated[UUID, Path()]) -> Generation:
    return Generation.from_row(*service.get(caller(app), generation_id))


handler = api_handler(app)
