"""Pure pipeline stages of journalize. Each stage takes a DuckDB connection and parameters, runs
the SQL beside it (``transforms/sql/<stage>/<table>.sql``, one statement per file, named after the
table it makes) and imports neither Prefect nor the CLI.

ingest → validate → map → group → number → journalise → persist
"""
