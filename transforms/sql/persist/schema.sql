-- The output database (SPEC §11): stable names that analysts and tests query.
-- Each table declares its keys and rules where DuckDB enforces them at little cost: NOT NULL on
-- the columns that name a row, CHECKs on values (debit and credit never negative, the statuses),
-- and a PRIMARY KEY on the small tables (runs, journal_counters, run_reconciliation). The large
-- tables (billable_lines, invoices, journal_entries: millions of rows a month) have no key index:
-- an ART index costs memory and time on every run over years of books; `journalize verify`
-- checks their keys instead (numbers_unique, lines_unique, lines_once). A database made by an
-- earlier version keeps the definitions it was made with (CREATE TABLE IF NOT EXISTS; columns
-- added since come without their rules).
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, command VARCHAR, status VARCHAR,
    started_at TIMESTAMP, finished_at TIMESTAMP,
    input_dir VARCHAR, reference_date DATE, invoice_date DATE,
    admin_id VARCHAR, sources VARCHAR, include_credit_lines BOOLEAN, journalize BOOLEAN,
    lines_read BIGINT, lines_invoiced BIGINT, lines_open BIGINT, lines_rejected BIGINT,
    lines_excluded BIGINT, invoices BIGINT, journal_entry_lines BIGINT,
    -- who ran it, where, with which version, command line and settings (RunParameters as JSON)
    os_user VARCHAR, host VARCHAR, journalize_version VARCHAR, command_line VARCHAR,
    parameters VARCHAR,
    -- the books' seal after the run (transforms/seal.py): keep it elsewhere for verify --seal
    seal VARCHAR
);
-- one row per (run, input file): every file the run read (each file of a partitioned Parquet
-- folder), its path relative to the input folder, its size and SHA-256
CREATE TABLE IF NOT EXISTS run_inputs (
    run_id INTEGER, path VARCHAR, bytes BIGINT, sha256 VARCHAR
);
-- one row per input line (source, line_id): its latest status; the invoiced ones are the
-- invoice lines (the view invoice_lines)
CREATE TABLE IF NOT EXISTS billable_lines (
    source VARCHAR NOT NULL, line_id VARCHAR, row_number BIGINT,
    admin_id VARCHAR, debtor_id VARCHAR, line_date DATE, item_code VARCHAR, article_group VARCHAR,
    integration_group VARCHAR, description VARCHAR,
    quantity DECIMAL(18, 4), unit_price DECIMAL(18, 4), vat_code VARCHAR,
    is_credit BOOLEAN, manual BOOLEAN,
    order_id VARCHAR, receipt_id VARCHAR, payment_method VARCHAR, delivery_date DATE,
    project_id VARCHAR, phase_id VARCHAR, installment_id VARCHAR, subscription_id VARCHAR,
    course_id VARCHAR, period_start DATE, period_end DATE, exclude_from_collective BOOLEAN,
    amount DECIMAL(18, 2),
    status VARCHAR NOT NULL CHECK (status IN ('invoiced', 'open', 'rejected', 'excluded')),
    status_reason VARCHAR, is_collective BOOLEAN,
    collect_key VARCHAR,
    invoice_number VARCHAR, run_id INTEGER NOT NULL,
    -- the account the line is booked on (SPEC §4: integration group, else article group;
    -- credit account for a credit line); invoice_lines shows it as `account`
    revenue_account VARCHAR, allocation VARCHAR,
    -- an invoiced line names its invoice
    CHECK (status <> 'invoiced' OR invoice_number IS NOT NULL)
);
-- one row per (run, table, row, column, check) that a line broke
CREATE TABLE IF NOT EXISTS rejected_lines (
    "table" VARCHAR NOT NULL, line_id VARCHAR, row_number BIGINT, "column" VARCHAR,
    "check" VARCHAR NOT NULL, value VARCHAR, message VARCHAR, run_id INTEGER NOT NULL
);
-- one row per invoice
CREATE TABLE IF NOT EXISTS invoices (
    admin_id VARCHAR NOT NULL, invoice_number VARCHAR NOT NULL, sequence_number BIGINT,
    journal_code VARCHAR NOT NULL, integration_type VARCHAR,
    debtor_id VARCHAR NOT NULL, invoice_date DATE NOT NULL, due_date DATE, is_credit BOOLEAN, is_collective BOOLEAN,
    collect_key VARCHAR, sources VARCHAR, currency VARCHAR, payment_method VARCHAR,
    total_excl_vat DECIMAL(18, 2), vat_amount DECIMAL(18, 2), total_incl_vat DECIMAL(18, 2),
    description VARCHAR, coda_reference VARCHAR, journalized BOOLEAN, line_count BIGINT,
    run_id INTEGER NOT NULL,
    -- SPEC §9: total_incl_vat = total_excl_vat + vat_amount; a credit invoice's total is < 0
    CHECK (total_incl_vat = total_excl_vat + vat_amount),
    CHECK (is_credit = (total_incl_vat < 0))
);
-- one row per (invoice, VAT code): the amounts of SPEC §9 before they become entry lines
CREATE TABLE IF NOT EXISTS invoice_vat (
    invoice_number VARCHAR NOT NULL, vat_code VARCHAR NOT NULL, vat_rate DECIMAL(9, 4),
    gross DECIMAL(18, 2), invoice_discount DECIMAL(18, 2), net DECIMAL(18, 2), vat DECIMAL(18, 2),
    credit_restriction DECIMAL(18, 2), run_id INTEGER NOT NULL,
    CHECK (net = gross - invoice_discount)
);
-- one row per journal entry line; debit and credit never negative
CREATE TABLE IF NOT EXISTS journal_entries (
    admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL, entry_id BIGINT NOT NULL,
    line_no INTEGER NOT NULL, entry_date DATE NOT NULL,
    fiscal_year INTEGER NOT NULL, period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 12),
    account VARCHAR NOT NULL, debtor_id VARCHAR,
    invoice_number VARCHAR, description VARCHAR,
    debit DECIMAL(18, 2) NOT NULL, credit DECIMAL(18, 2) NOT NULL,
    vat_code VARCHAR, source VARCHAR, due_date DATE, run_id INTEGER NOT NULL,
    CHECK (debit >= 0 AND credit >= 0)
);
-- SPEC §9 cost allocation: one row per (entry line, axis) of a line that carries codes (a
-- revenue line, a release of deferred revenue); code NULL: the line's field was empty (a gap)
CREATE TABLE IF NOT EXISTS entry_allocations (
    entry_id BIGINT NOT NULL, line_no INTEGER NOT NULL, axis VARCHAR NOT NULL, code VARCHAR,
    run_id INTEGER
);
-- run --no-journalize: each invoice's entry lines and open item as journalising books them,
-- kept (not posted, not sealed) until `journalize post` books them into journal_entries and
-- open_items with entry ids numbered on from the books' last; run_id is the invoicing run's
CREATE TABLE IF NOT EXISTS draft_entries (
    admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL, entry_id BIGINT NOT NULL,
    line_no INTEGER NOT NULL, entry_date DATE NOT NULL, fiscal_year INTEGER NOT NULL,
    period INTEGER NOT NULL, account VARCHAR NOT NULL, debtor_id VARCHAR,
    invoice_number VARCHAR NOT NULL, description VARCHAR,
    debit DECIMAL(18, 2) NOT NULL, credit DECIMAL(18, 2) NOT NULL,
    vat_code VARCHAR, source VARCHAR, due_date DATE, run_id INTEGER NOT NULL,
    allocation VARCHAR  -- (the line's allocation codes, JSON {axis: code}: entry_allocations)
);
CREATE TABLE IF NOT EXISTS draft_open_items (
    admin_id VARCHAR NOT NULL, debtor_id VARCHAR NOT NULL, invoice_number VARCHAR NOT NULL,
    invoice_date DATE, due_date DATE,
    amount DECIMAL(18, 2) NOT NULL, amount_open DECIMAL(18, 2) NOT NULL,
    payment_discount_pct DECIMAL(9, 4), payment_discount_date DATE, run_id INTEGER NOT NULL
);
-- one row per invoice: the receivable (openstaande post)
CREATE TABLE IF NOT EXISTS open_items (
    admin_id VARCHAR NOT NULL, debtor_id VARCHAR NOT NULL, invoice_number VARCHAR NOT NULL,
    invoice_date DATE, due_date DATE,
    amount DECIMAL(18, 2) NOT NULL, amount_open DECIMAL(18, 2) NOT NULL,
    payment_discount_pct DECIMAL(9, 4), payment_discount_date DATE, run_id INTEGER NOT NULL
);
-- one row per numbering journal: the last number issued (teller laatste factuur)
CREATE TABLE IF NOT EXISTS journal_counters (
    admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL, last_invoice_number BIGINT NOT NULL,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (admin_id, journal_code)
);
-- one row per number the counter passed over because it was already used
CREATE TABLE IF NOT EXISTS skipped_numbers (
    admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL, invoice_number VARCHAR NOT NULL,
    sequence_number BIGINT, reason VARCHAR, run_id INTEGER NOT NULL
);
-- one row per (run, subscription item) the run billed or credited (SPEC §7): billed_through as
-- the run left it, and the invoice that billed (or credited) through it; the newest row of an
-- item is where the next run goes on from. Posted rows: sealed with their invoice's chain
CREATE TABLE IF NOT EXISTS subscription_state (
    subscription_id VARCHAR, item_code VARCHAR, billed_through DATE, run_id INTEGER,
    invoice_number VARCHAR
);
-- SPEC §9 deferred revenue: one row per (invoice, revenue account, deferral account, allocation
-- codes, release date) planned by the invoicing run (run_id); entry_id is the release entry
-- that released it (its run_id says by which run), NULL until a run releases it. Sealed with the
-- invoice's chain (entry_id, which a later run sets, is checked by verify against the entries)
CREATE TABLE IF NOT EXISTS deferral_schedule (
    admin_id VARCHAR, invoice_number VARCHAR, account VARCHAR, deferral_account VARCHAR,
    release_date DATE, amount DECIMAL(18, 2), entry_id BIGINT, run_id INTEGER,
    allocation VARCHAR  -- (the codes of the revenue released, JSON {axis: code})
);
-- one row per (run, source table): lines read = invoiced + open + rejected + excluded, in money too
CREATE TABLE IF NOT EXISTS run_reconciliation (
    run_id INTEGER NOT NULL, source VARCHAR NOT NULL,
    lines_read BIGINT, lines_invoiced BIGINT, lines_open BIGINT, lines_rejected BIGINT,
    lines_excluded BIGINT,
    amount_read DECIMAL(18, 2), amount_invoiced DECIMAL(18, 2), amount_open DECIMAL(18, 2),
    amount_rejected DECIMAL(18, 2), amount_excluded DECIMAL(18, 2), closes BOOLEAN,
    PRIMARY KEY (run_id, source)
);
-- one row per (run, line) that was invoiced earlier and arrived again with other content: reported,
-- never invoiced again
CREATE TABLE IF NOT EXISTS changed_lines (
    run_id INTEGER NOT NULL, source VARCHAR NOT NULL, line_id VARCHAR, row_number BIGINT,
    invoice_number VARCHAR, changed_columns VARCHAR
);
-- The master data each run used, kept beside its books so that an auditor (and `journalize
-- verify`) can check every account, journal, debtor and VAT code the books name against what the
-- run read: one row per (run, master row). Administrations, accounts, journals and VAT codes are
-- small and kept whole (with their names: what an export describes them by); of the debtors (up
-- to hundreds of thousands per run) the ids and names of those the run's invoices name. Books
-- written before runs kept their master data have no rows here for their runs.
CREATE TABLE IF NOT EXISTS run_accounts (
    run_id INTEGER NOT NULL, admin_id VARCHAR NOT NULL, account VARCHAR NOT NULL,
    account_type VARCHAR, description VARCHAR
);
CREATE TABLE IF NOT EXISTS run_journals (
    run_id INTEGER NOT NULL, admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL,
    journal_type VARCHAR, contra_account VARCHAR, description VARCHAR
);
CREATE TABLE IF NOT EXISTS run_vat_codes (
    run_id INTEGER NOT NULL, admin_id VARCHAR NOT NULL, vat_code VARCHAR NOT NULL,
    rate DECIMAL(9, 4), payable_account VARCHAR
);
CREATE TABLE IF NOT EXISTS run_debtors (
    run_id INTEGER NOT NULL, debtor_id VARCHAR NOT NULL, name VARCHAR
);
-- the administrations (name, country, currency): what an export names the company by (XAF)
CREATE TABLE IF NOT EXISTS run_administrations (
    run_id INTEGER NOT NULL, admin_id VARCHAR NOT NULL, name VARCHAR, country VARCHAR,
    currency VARCHAR
);
-- The inalterability chain (transforms/seal.py). One row per (run, administration, journal):
-- seal = SHA-256(previous_seal, run, administration, journal, content), content = SHA-256 of the
-- digests of the rows the run posted there.
CREATE TABLE IF NOT EXISTS seals (
    run_id INTEGER, admin_id VARCHAR, journal_code VARCHAR, previous_seal VARCHAR,
    content VARCHAR, seal VARCHAR, "rows" BIGINT, format INTEGER
);
-- One row per chunk of at most 16,384 consecutive sealed rows of one (run, administration,
-- journal, table): its SHA-256 and that of each sealed column, with the keys of its first and
-- last row, so that verify names the rows and columns that changed.
CREATE TABLE IF NOT EXISTS seal_chunks (
    run_id INTEGER, admin_id VARCHAR, journal_code VARCHAR, "table" VARCHAR, chunk INTEGER,
    "rows" BIGINT, first_row VARCHAR, last_row VARCHAR, digest VARCHAR, column_digests VARCHAR[]
);
-- Stock (SPEC §9, docs/stock.md). One row per stock mutation booked (never written twice: a
-- re-run finds it here and books it no more); admin_id and journal_code name the chain it is
-- sealed in: the stock administration's stock journal
CREATE TABLE IF NOT EXISTS stock_mutations (
    mutation_id VARCHAR NOT NULL, row_number BIGINT, kind VARCHAR NOT NULL,
    stock_admin_id VARCHAR NOT NULL, invoice_admin_id VARCHAR, to_admin_id VARCHAR,
    item_code VARCHAR, article_group VARCHAR,
    quantity DECIMAL(18, 4), cost_price DECIMAL(18, 4), transfer_price DECIMAL(18, 4),
    mutation_date DATE NOT NULL, cost_amount DECIMAL(18, 2), transfer_amount DECIMAL(18, 2),
    admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL, run_id INTEGER NOT NULL
);
-- one row per (mutation, stock entry line): the mutation's share of the line (role: stock,
-- cost_of_sales, rc, transfer_result; counter_admin_id: the other administration of an RC line)
CREATE TABLE IF NOT EXISTS stock_entry_lines (
    mutation_id VARCHAR NOT NULL, admin_id VARCHAR NOT NULL, journal_code VARCHAR NOT NULL,
    entry_id BIGINT NOT NULL, line_no INTEGER NOT NULL, entry_date DATE NOT NULL,
    account VARCHAR NOT NULL, role VARCHAR NOT NULL, counter_admin_id VARCHAR,
    debit DECIMAL(18, 2) NOT NULL, credit DECIMAL(18, 2) NOT NULL, run_id INTEGER NOT NULL,
    CHECK (debit >= 0 AND credit >= 0)
);
