-- How the year's applications were handled (table 3, 总计 column), one row per outcome.
-- 2019's single 'other' row and 2021's three other_* rows both arrive as outcome 'other'
-- (report_facts.other_total), group 其他处理.
CREATE OR REPLACE VIEW v_outcomes AS
SELECT r.report_id, r.dataset, r.agency_id, r.agency_name, r.agency_type,
       r.province, r.city, r.county, r.year, r.template,
       o.outcome, o.outcome_group, o.outcome_group_key, o.ord AS outcome_order, o.count
FROM reports r
JOIN report_facts f USING (report_id),
LATERAL (VALUES
    ('granted',                 '予以公开', 'granted',  1, f.granted),
    ('partial',                 '部分公开', 'partial',  2, f.partial),
    ('denied_state_secret',     '不予公开', 'denied',   3, f.denied_state_secret),
    ('denied_law_forbidden',    '不予公开', 'denied',   4, f.denied_law_forbidden),
    ('denied_three_safety',     '不予公开', 'denied',   5, f.denied_three_safety),
    ('denied_third_party',      '不予公开', 'denied',   6, f.denied_third_party),
    ('denied_internal_affairs', '不予公开', 'denied',   7, f.denied_internal_affairs),
    ('denied_process_info',     '不予公开', 'denied',   8, f.denied_process_info),
    ('denied_enforcement_file', '不予公开', 'denied',   9, f.denied_enforcement_file),
    ('denied_admin_query',      '不予公开', 'denied',  10, f.denied_admin_query),
    ('unable_not_held',         '无法提供', 'unable',  11, f.unable_not_held),
    ('unable_need_create',      '无法提供', 'unable',  12, f.unable_need_create),
    ('unable_unclear',          '无法提供', 'unable',  13, f.unable_unclear),
    ('rejected_petition',       '不予处理', 'rejected', 14, f.rejected_petition),
    ('rejected_duplicate',      '不予处理', 'rejected', 15, f.rejected_duplicate),
    ('rejected_publication',    '不予处理', 'rejected', 16, f.rejected_publication),
    ('rejected_excessive',      '不予处理', 'rejected', 17, f.rejected_excessive),
    ('rejected_confirm',        '不予处理', 'rejected', 18, f.rejected_confirm),
    ('other',                   '其他处理', 'other',   19, f.other_total)
) AS o(outcome, outcome_group, outcome_group_key, ord, count);
