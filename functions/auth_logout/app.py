from aws_lambda_powertools.event_handler import Response

from imagify.identity import auth
from imagify.settings import CorsSettings, DatabaseSettings, TokenSettings, require
from imagify.web import UNAVAILABLE, api_handler, bearer, caller, resolver, responses

require(DatabaseSettings, CorsSettings, TokenSettings)
app = resolver()


@app.post(
    "/auth/logout",
    summary="Sign out",
    description=(
        "Ends the session behind the bearer token: the session itself, or the one its access token was issued for."
    ),
    tags=["auth"],
    responses=responses(204, "signed out", errors={503: UNAVAILABLE}),
)
def logout() -> Response[None]:
    auth.logout(caller(app).user_id, bearer(app))
    return Response(status_code=204)


handler = api_handler(app)
