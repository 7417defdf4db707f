"""The API's routes, one module per resource; ``giftflow.api.routers`` lists them in
the order they are mounted."""
