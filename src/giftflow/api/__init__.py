"""The HTTP API's ``/v1`` routes and the middleware in front of every answer (body limits,
early rate limits, security headers, the uvicorn protocol with a header timeout); see
docs/api.md. The app that serves them, with the web pages beside them, is assembled in
``giftflow.server`` (``create_app``); what the routes and the pages share is
``giftflow.http``."""
