SELECT * FROM reconcile.reconciliation
