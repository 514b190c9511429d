"""pandera contracts of journalize: one schema per input table (SPEC §2), named after the table.

Schemas validate the *raw* text of a file, as read (coerce at the raw edge): every value is checked
for its format and domain here, and the engine (DuckDB) casts it afterwards to the SQL type each
column declares in its metadata (``sql_type``). Cross-row and cross-table rules (unique ids,
references to master data) are SQL, in ``transforms/sql/validate``.
"""

from schemas.lines import LINE_SCHEMAS
from schemas.master import MASTER_SCHEMAS, REQUIRED_MASTER_TABLES
from schemas.stock import STOCK_SCHEMAS

# every table of the lines/ folder: the billable lines and the stock mutations (not billable)
LINES_FOLDER_SCHEMAS = {**LINE_SCHEMAS, **STOCK_SCHEMAS}

__all__ = ["LINES_FOLDER_SCHEMAS", "LINE_SCHEMAS", "MASTER_SCHEMAS", "REQUIRED_MASTER_TABLES",
           "STOCK_SCHEMAS"]
