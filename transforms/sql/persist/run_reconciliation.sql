SELECT * FROM reconciliation
