"""One GraphQL type per module, each wrapping a domain object from graph.types."""
