from aws_lambda_powertools.event_handler import Response

from imagify.identity import profile, verification
from imagify.settings import CorsSettings, DatabaseSettings, EmailSettings, require
from imagify.web import UNAVAILABLE, api_handler, caller, resolver, responses

require(DatabaseSettings, CorsSettings, EmailSettings)
app = resolver()


@app.post(
    "/auth/verify-email/request",
    summary="Ask for an email confirmation link",
    description="Emails the caller a one-time link that confirms their address.",
    tags=["auth"],
    responses=responses(202, "a link is on its way", errors={503: UNAVAILABLE}),
)
def request_verification() -> Response[None]:
    verification.request_email_verification(profile.me(caller(app).user_id))
    return Response(status_code=202)


handler = api_handler(app)
