"""The load benchmark of `make bench`: servers, a load generator, scenarios and the report."""
