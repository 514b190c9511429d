SELECT * FROM run_open_items
