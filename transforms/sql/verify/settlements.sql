-- SPEC §9: a journalised counter sale paid cash, pin or chip has a second entry, in another
-- journal (the cash_sale type's, a cash or bank journal), that debits the journal's contra account
-- and credits the debtor's receivables account (the one of the invoice's entry) with the
-- invoice's total; its open item is then settled (amount_open 0). An invoice of total zero needs
-- no settlement entry; no other invoice has one. The journal's type and contra account are
-- checked against the master data the run recorded (run_journals), where it did.
WITH
journalised AS (
    SELECT *, coalesce(payment_method IN ('cash', 'pin', 'chip'), false) AS paid_at_once
    FROM invoices WHERE journalized
),
receivable AS (
    SELECT e.invoice_number, any_value(e.account) AS account
    FROM journal_entries AS e
    JOIN journalised AS i ON i.invoice_number = e.invoice_number AND i.journal_code = e.journal_code
    WHERE e.debtor_id IS NOT NULL
    GROUP BY e.invoice_number
),
settlement AS (
    SELECT e.invoice_number, e.entry_id, any_value(e.journal_code) AS journal_code,
           any_value(i.admin_id) AS admin_id, any_value(i.run_id) AS run_id,
           coalesce(sum(e.credit - e.debit) FILTER (WHERE e.debtor_id IS NOT NULL), 0) AS settled,
           coalesce(sum(e.debit - e.credit) FILTER (WHERE e.debtor_id IS NULL), 0) AS received,
           string_agg(DISTINCT e.account, ', ') FILTER (WHERE e.debtor_id IS NULL) AS contra_account,
           string_agg(DISTINCT e.account, ', ') FILTER (WHERE e.debtor_id IS NOT NULL) AS debtor_account
    FROM journal_entries AS e
    JOIN journalised AS i ON i.invoice_number = e.invoice_number AND i.journal_code <> e.journal_code
    GROUP BY e.invoice_number, e.entry_id
),
counted AS (
    SELECT invoice_number, count(*) AS entries FROM settlement GROUP BY invoice_number
)
SELECT 'invoice ' || i.invoice_number || ' (' || i.admin_id || ', paid ' || i.payment_method || ', '
       || i.total_incl_vat || ') has no settlement entry' AS finding
FROM journalised AS i
WHERE i.paid_at_once AND i.total_incl_vat <> 0
  AND i.invoice_number NOT IN (SELECT invoice_number FROM settlement)
UNION ALL
SELECT 'invoice ' || i.invoice_number || ' (' || coalesce(i.payment_method, 'no payment method')
       || ') is not paid at once but has settlement entry ' || s.entry_id || ' in journal '
       || s.journal_code
FROM journalised AS i JOIN settlement AS s USING (invoice_number)
WHERE NOT i.paid_at_once
UNION ALL
SELECT 'invoice ' || invoice_number || ' has ' || entries || ' settlement entries'
FROM counted WHERE entries > 1
UNION ALL
SELECT 'settlement entry ' || s.entry_id || ' of invoice ' || i.invoice_number || ' ('
       || i.total_incl_vat || '): '
       || concat_ws('; ',
              CASE WHEN s.settled <> i.total_incl_vat
                   THEN 'credits the debtor ' || s.settled END,
              CASE WHEN s.received <> i.total_incl_vat
                   THEN 'debits ' || coalesce(s.contra_account, '(no account)') || ' ' || s.received END,
              CASE WHEN s.debtor_account IS DISTINCT FROM r.account
                   THEN 'settles account ' || coalesce(s.debtor_account, '(none)')
                        || ', the invoice''s entry booked the receivable on '
                        || coalesce(r.account, '(none)') END,
              CASE WHEN j.journal_code IS NOT NULL AND j.journal_type NOT IN ('cash', 'bank')
                   THEN 'journal ' || s.journal_code || ' is a ' || j.journal_type
                        || ' journal, not cash or bank' END,
              CASE WHEN j.journal_code IS NOT NULL
                        AND s.contra_account IS DISTINCT FROM j.contra_account
                   THEN 'journal ' || s.journal_code || '''s contra account is '
                        || coalesce(j.contra_account, '(none)') || ', not '
                        || coalesce(s.contra_account, '(none)') END)
FROM settlement AS s
JOIN journalised AS i USING (invoice_number)
LEFT JOIN receivable AS r USING (invoice_number)
LEFT JOIN run_journals AS j
    ON j.run_id = s.run_id AND j.admin_id = s.admin_id AND j.journal_code = s.journal_code
WHERE i.paid_at_once
  AND (s.settled <> i.total_incl_vat OR s.received <> i.total_incl_vat
       OR s.debtor_account IS DISTINCT FROM r.account
       OR (j.journal_code IS NOT NULL AND (j.journal_type NOT IN ('cash', 'bank')
                                           OR s.contra_account IS DISTINCT FROM j.contra_account)))
UNION ALL
SELECT 'open item of invoice ' || i.invoice_number || ' (paid ' || i.payment_method
       || ') is open for ' || o.amount_open || ': a sale paid at once is settled (0)'
FROM journalised AS i JOIN open_items AS o USING (invoice_number)
WHERE i.paid_at_once AND o.amount_open <> 0
ORDER BY 1
