"""The GraphQL API (strawberry) and its ASGI app. Knows no Cypher: it calls graph/."""
