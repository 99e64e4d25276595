"""referralnet's domain layer: the model, the queries, the repositories. Knows no GraphQL."""
