-- Cells with a person's corrections applied: the latest correction not undone wins. A correction
-- carried to a new edition that reads another value ('needs_review') is not applied until reviewed.
CREATE OR REPLACE VIEW v_cells AS
WITH latest AS (
    SELECT report_id, table_no, row_key, col_key, new_value
    FROM corrections
    WHERE undone_at IS NULL AND coalesce(status, 'active') = 'active'
    QUALIFY row_number() OVER (
        PARTITION BY report_id, table_no, row_key, col_key
        ORDER BY created_at DESC, correction_id DESC) = 1
)
SELECT c.report_id, c.table_no, c.row_key, c.col_key,
       CASE WHEN l.report_id IS NOT NULL THEN l.new_value ELSE c.value END AS value,
       c.value AS original_value,
       c.raw, c.state, c.confidence,
       l.report_id IS NOT NULL AS corrected
FROM cells c
LEFT JOIN latest l USING (report_id, table_no, row_key, col_key);
