-- Applicant-type mix of the year's new applications (table 3 row new_received), long form.
CREATE OR REPLACE VIEW v_applications AS
SELECT r.report_id, r.dataset, r.agency_id, r.agency_name, r.agency_type,
       r.province, r.city, r.county, r.year, r.template,
       a.applicant_type, a.applicant_label, a.applications
FROM reports r
JOIN report_facts f USING (report_id),
LATERAL (VALUES
    ('natural_person', '自然人',       f.new_natural_person, 1),
    ('commercial',     '商业企业',     f.new_commercial,     2),
    ('research',       '科研机构',     f.new_research,       3),
    ('social_org',     '社会公益组织', f.new_social_org,     4),
    ('legal_service',  '法律服务机构', f.new_legal_service,  5),
    ('other_org',      '其他',         f.new_other_org,      6)
) AS a(applicant_type, applicant_label, applications, ord);
