-- One row per report: identity, status and every fact, plus the derived measures the dashboard
-- shows. Group sums ignore unknown (NULL) cells and are NULL only when every part is unknown;
-- rates are NULL when the denominator is 0 or unknown (never an invented number).
CREATE OR REPLACE VIEW v_report_summary AS
SELECT r.*,
       f.* EXCLUDE (report_id),
       list_sum([f.denied_state_secret, f.denied_law_forbidden, f.denied_three_safety,
                 f.denied_third_party, f.denied_internal_affairs, f.denied_process_info,
                 f.denied_enforcement_file, f.denied_admin_query]) AS denied_total,
       list_sum([f.unable_not_held, f.unable_need_create, f.unable_unclear]) AS unable_total,
       list_sum([f.rejected_petition, f.rejected_duplicate, f.rejected_publication,
                 f.rejected_excessive, f.rejected_confirm]) AS rejected_total,
       list_sum([f.suit_direct_total, f.suit_after_review_total]) AS suit_total,
       f.granted / NULLIF(f.total_handled, 0) AS granted_rate,
       f.review_corrected / NULLIF(f.review_total - f.review_pending, 0) AS review_correction_rate,
       list_sum([f.suit_direct_corrected, f.suit_after_review_corrected])
           / NULLIF(list_sum([f.suit_direct_total, f.suit_after_review_total])
                    - list_sum([f.suit_direct_pending, f.suit_after_review_pending]), 0)
           AS suit_correction_rate,
       f.report_id IS NOT NULL AS has_facts
FROM reports r
LEFT JOIN report_facts f USING (report_id);
