from builders import order_line, query, run, write_dataset


def test_one_order_line_becomes_one_invoice(dataset_dir, db):
    write_dataset(dataset_dir, order_lines=[order_line("L1")])
    result = run(dataset_dir, db)
    assert result.counts["invoices"] == 1
    assert query(db, "SELECT invoice_number, total_incl_vat FROM invoices") == [("1001", 121)]
