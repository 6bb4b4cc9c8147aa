from aws_lambda_powertools.event_handler import Response

from imagify.identity import profile, verification
from imagify.observability import tracer
from imagify.web import api_handler, caller, resolver

app = resolver()


@app.post("/auth/verify-email/request", responses={202: {"description": "a link is on its way"}})
@tracer.capture_method
def request_verification() -> Response[None]:
    verification.request_email_verification(profile.me(caller(app).user_id))
    return Response(status_code=202)


handler = api_handler(app)
