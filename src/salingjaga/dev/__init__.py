"""Development helpers: PostgreSQL and Redis servers started on loopback for tests,
benchmarks and `salingjaga cluster up`. Never used in production."""
