"""The wiring of journalize: run parameters, the plain pipeline, its Prefect flow and the CLI."""
