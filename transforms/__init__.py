"""Pure pipeline stages of journalize. Each stage takes a DuckDB connection and parameters, builds
the SQL models beside it (``transforms/sql/<stage>/<table>.sql``, one SELECT per file, named after
the table it makes in the stage's schema of the work database, ``transforms.workspace``) and
imports neither Prefect nor the CLI.

ingest → validate → map → group → number → journalise → reconcile → persist

(``flows.stages`` runs them: "load configuration" and "load lines" are ingest and validate of the
master data and of the lines; map to reconcile go once per chunk, then persist writes the chunk.)
"""
