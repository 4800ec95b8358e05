-- xxgk warehouse schema (DuckDB). Applied idempotently on every open for writing.
-- One row per report; values in long form (cells) and wide form (report_facts, for the dashboard).

CREATE SEQUENCE IF NOT EXISTS seq_run_id START 1;

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id        BIGINT PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    dataset       VARCHAR NOT NULL,
    args          VARCHAR,            -- the command line, as JSON
    n_loaded      INTEGER DEFAULT 0,
    n_unchanged   INTEGER DEFAULT 0,
    n_replaced    INTEGER DEFAULT 0,
    n_failed      INTEGER DEFAULT 0,
    n_reextracted INTEGER DEFAULT 0    -- files already there, read again by a newer extractor
);
ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS n_reextracted INTEGER DEFAULT 0;

CREATE TABLE IF NOT EXISTS reports (
    report_id     VARCHAR PRIMARY KEY, -- sha256 of the file bytes (same bytes = same report)
    dataset       VARCHAR NOT NULL,    -- 'demo' (synthetic), 'sample', or the user's dataset name
    agency        VARCHAR,             -- as printed in the report
    agency_id     VARCHAR,             -- normalised agency identity (entities), stable across renames
    agency_name   VARCHAR,             -- canonical display name of agency_id
    agency_type   VARCHAR,             -- government | department | subdistrict | other
    province      VARCHAR,
    city          VARCHAR,
    county        VARCHAR,
    region_code   VARCHAR,             -- GB/T 2260 code of the most specific region known
    year          INTEGER,             -- report year (the year reported on)
    template      VARCHAR,             -- '2019' | '2021' | 'nonstandard'
    source_path   VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    format        VARCHAR,             -- html | txt | md | pdf | docx | doc | ocr
    ocr           BOOLEAN DEFAULT FALSE,
    fees_collected_yuan DOUBLE,
    status        VARCHAR,             -- ok | warnings | errors (worst finding severity)
    n_findings    INTEGER DEFAULT 0,
    ingested_at   TIMESTAMP NOT NULL,
    run_id        BIGINT,
    extractor_version INTEGER,         -- pipelines.extract.EXTRACTOR_VERSION that read the file (NULL: before versions)
    template_version  VARCHAR          -- digest of the template data files it was read with
);
-- Warehouses built before versions were recorded get the columns (NULL: re-extracted by the next ingest).
ALTER TABLE reports ADD COLUMN IF NOT EXISTS extractor_version INTEGER;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS template_version VARCHAR;

-- Every extracted value: table 2 (row_key = key, col_key = ''), table 3 (row_key, col_key),
-- table 4 (row_key = 'table4', col_key = key). state: number | blank | dash | missing | inferred.
CREATE TABLE IF NOT EXISTS cells (
    report_id     VARCHAR NOT NULL,
    table_no      TINYINT NOT NULL,
    row_key       VARCHAR NOT NULL,
    col_key       VARCHAR NOT NULL,
    value         DOUBLE,
    raw           VARCHAR,
    state         VARCHAR NOT NULL,
    confidence    FLOAT DEFAULT 1.0
);

CREATE TABLE IF NOT EXISTS findings (
    report_id     VARCHAR NOT NULL,
    seq           INTEGER NOT NULL,
    check_id      VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL,    -- error | warning | info
    location      VARCHAR,             -- table3.ROW.COL, table4.KEY, agency, year, ...
    message       VARCHAR
);

-- The report's text (normalised), for the report detail page.
CREATE TABLE IF NOT EXISTS report_texts (
    report_id     VARCHAR PRIMARY KEY,
    text          VARCHAR
);

-- Every file an ingest run saw, with its outcome.
CREATE TABLE IF NOT EXISTS ingest_files (
    run_id        BIGINT NOT NULL,
    path          VARCHAR NOT NULL,
    sha256        VARCHAR,
    outcome       VARCHAR NOT NULL,    -- loaded | unchanged | replaced | failed | skipped
    error         VARCHAR,
    report_id     VARCHAR,
    "at"          TIMESTAMP NOT NULL  -- quoted: AT is a keyword in DuckDB 2.0
);

-- A changed file for the same agency and year replaces the earlier report; the replacement is kept.
CREATE TABLE IF NOT EXISTS replacements (
    run_id        BIGINT,
    old_report_id VARCHAR NOT NULL,
    new_report_id VARCHAR NOT NULL,
    agency_id     VARCHAR,
    year          INTEGER,
    old_source_path VARCHAR,
    new_source_path VARCHAR,
    "at"          TIMESTAMP NOT NULL,  -- quoted: AT is a keyword in DuckDB 2.0
    reason        VARCHAR,             -- changed file | extractor upgrade | re-extraction asked (--reextract)
    old_extractor_version INTEGER,
    new_extractor_version INTEGER
);
ALTER TABLE replacements ADD COLUMN IF NOT EXISTS reason VARCHAR;
ALTER TABLE replacements ADD COLUMN IF NOT EXISTS old_extractor_version INTEGER;
ALTER TABLE replacements ADD COLUMN IF NOT EXISTS new_extractor_version INTEGER;

-- What a replacement changed, cell by cell: every cell whose value or state differs between the old
-- report and the new one (a re-extraction keeps the report_id: old = new), and the report's own fields
-- (table_no 0, row_key 'report': agency, year, template; text in old_text/new_text).
CREATE TABLE IF NOT EXISTS replacement_cells (
    run_id        BIGINT,
    old_report_id VARCHAR NOT NULL,
    new_report_id VARCHAR NOT NULL,
    table_no      TINYINT NOT NULL,
    row_key       VARCHAR NOT NULL,
    col_key       VARCHAR NOT NULL,
    old_value     DOUBLE,
    new_value     DOUBLE,
    old_state     VARCHAR,             -- NULL: the cell was not there
    new_state     VARCHAR,
    old_text      VARCHAR,
    new_text      VARCHAR
);

-- Wide per-report facts for fast dashboards (1M reports): table 3 totals column per row,
-- the applicant mix of new applications, table 4 in full. Written with every report.
CREATE TABLE IF NOT EXISTS report_facts (
    report_id              VARCHAR PRIMARY KEY,
    new_received           DOUBLE, carried_over DOUBLE,
    new_natural_person     DOUBLE, new_commercial DOUBLE, new_research DOUBLE,
    new_social_org         DOUBLE, new_legal_service DOUBLE, new_other_org DOUBLE,
    granted                DOUBLE, partial DOUBLE,
    denied_state_secret    DOUBLE, denied_law_forbidden DOUBLE, denied_three_safety DOUBLE,
    denied_third_party     DOUBLE, denied_internal_affairs DOUBLE, denied_process_info DOUBLE,
    denied_enforcement_file DOUBLE, denied_admin_query DOUBLE,
    unable_not_held        DOUBLE, unable_need_create DOUBLE, unable_unclear DOUBLE,
    rejected_petition      DOUBLE, rejected_duplicate DOUBLE, rejected_publication DOUBLE,
    rejected_excessive     DOUBLE, rejected_confirm DOUBLE,
    other_total            DOUBLE,  -- 2019 'other', or the sum of the three 2021 other_* rows
    total_handled          DOUBLE, carried_forward DOUBLE,
    review_upheld DOUBLE, review_corrected DOUBLE, review_other DOUBLE, review_pending DOUBLE, review_total DOUBLE,
    suit_direct_upheld DOUBLE, suit_direct_corrected DOUBLE, suit_direct_other DOUBLE, suit_direct_pending DOUBLE, suit_direct_total DOUBLE,
    suit_after_review_upheld DOUBLE, suit_after_review_corrected DOUBLE, suit_after_review_other DOUBLE, suit_after_review_pending DOUBLE, suit_after_review_total DOUBLE
);

-- Corrections by a person (issue: trust layer): the original cell stays; views use the correction.
CREATE TABLE IF NOT EXISTS corrections (
    correction_id BIGINT PRIMARY KEY,
    report_id     VARCHAR NOT NULL,
    table_no      TINYINT NOT NULL,
    row_key       VARCHAR NOT NULL,
    col_key       VARCHAR NOT NULL,
    old_value     DOUBLE,
    new_value     DOUBLE,
    reason        VARCHAR NOT NULL,
    author        VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    undone_at     TIMESTAMP,
    status        VARCHAR DEFAULT 'active',  -- active | needs_review (pipelines/warehouse/editions.py)
    edition_value DOUBLE,      -- needs_review: what the report's current edition extracted instead
    made_on       VARCHAR,     -- the report_id of the edition it was made on, once carried to a newer one
    carried_at    TIMESTAMP    -- when it was carried to the current edition
);
-- Warehouses made before corrections followed new editions.
ALTER TABLE corrections ADD COLUMN IF NOT EXISTS status VARCHAR DEFAULT 'active';
ALTER TABLE corrections ADD COLUMN IF NOT EXISTS edition_value DOUBLE;
ALTER TABLE corrections ADD COLUMN IF NOT EXISTS made_on VARCHAR;
ALTER TABLE corrections ADD COLUMN IF NOT EXISTS carried_at TIMESTAMP;
