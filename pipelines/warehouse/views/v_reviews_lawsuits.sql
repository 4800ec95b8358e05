-- Table 4 in long form: kind (review | suit_direct | suit_after_review) x result.
CREATE OR REPLACE VIEW v_reviews_lawsuits AS
SELECT r.report_id, r.dataset, r.agency_id, r.agency_name, r.agency_type,
       r.province, r.city, r.county, r.year, r.template,
       t.kind, t.result, t.count
FROM reports r
JOIN report_facts f USING (report_id),
LATERAL (VALUES
    ('review', 'upheld', f.review_upheld), ('review', 'corrected', f.review_corrected),
    ('review', 'other', f.review_other), ('review', 'pending', f.review_pending),
    ('review', 'total', f.review_total),
    ('suit_direct', 'upheld', f.suit_direct_upheld), ('suit_direct', 'corrected', f.suit_direct_corrected),
    ('suit_direct', 'other', f.suit_direct_other), ('suit_direct', 'pending', f.suit_direct_pending),
    ('suit_direct', 'total', f.suit_direct_total),
    ('suit_after_review', 'upheld', f.suit_after_review_upheld),
    ('suit_after_review', 'corrected', f.suit_after_review_corrected),
    ('suit_after_review', 'other', f.suit_after_review_other),
    ('suit_after_review', 'pending', f.suit_after_review_pending),
    ('suit_after_review', 'total', f.suit_after_review_total)
) AS t(kind, result, count);
