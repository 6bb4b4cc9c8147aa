from imagify.identity import admin
from imagify.models.api import AdminStats
from imagify.observability import tracer
from imagify.web import api_handler, require_admin, resolver

app = resolver()


@app.get("/admin/stats")
@tracer.capture_method
def stats() -> AdminStats:
    require_admin(app)
    return AdminStats.model_validate(admin.stats())


handler = api_handler(app, admin_only=True)
