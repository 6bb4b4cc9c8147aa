from aws_lambda_powertools.event_handler import Response

from imagify.identity import auth
from imagify.observability import tracer
from imagify.web import api_handler, bearer, caller, resolver

app = resolver()


@app.post("/auth/logout", responses={204: {"description": "signed out"}})
@tracer.capture_method
def logout() -> Response[None]:
    auth.logout(caller(app).user_id, bearer(app))
    return Response(status_code=204)


handler = api_handler(app)
