"""Case files, their downloads and messages (migrations 0015-0017): files on half the cases (one
to three each: officers' uploads and generated letters, a few removed), a download for every
other file, and a message on two cases in three (email or text, mostly delivered), spread over
each case's life. The rows name files the benchmark never downloads: only the lists are read."""

from __future__ import annotations

from bench.sql_households import Step

FILES = Step(
    "case files",
    "evidence_file",
    """
INSERT INTO evidence_file (id, case_id, change_id, uploaded_by_account_id, uploaded_by_user_id,
                           original_name, content_type, size, sha256, storage_key, description,
                           source, person_id, strand_id, category, created_at, removed_at,
                           removed_by_id, removed_reason)
SELECT id, case_id, NULL, NULL, officer,
       CASE WHEN letter THEN 'Letter - ' ELSE 'Scan ' END || case_id || '-' || n ||
         CASE WHEN letter THEN '.docx' ELSE '.pdf' END,
       CASE WHEN letter
            THEN 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
            ELSE 'application/pdf' END,
       20000 + floor(random() * 2000000)::int, md5(id::text) || md5(id::text), md5(id::text),
       CASE WHEN letter THEN 'Review outcome' END,
       CASE WHEN letter THEN 'letter' ELSE 'officer' END,
       CASE WHEN random() < 0.4 THEN first_pid END, NULL,
       CASE WHEN letter THEN 'Correspondence'
            ELSE (ARRAY['Proof of identity', 'Proof of address', 'Proof of income',
                        'Medical evidence', 'Tenancy agreement', 'Other'])
                   [1 + floor(random() * 6)::int] END,
       made, CASE WHEN removed THEN made + interval '1 hour' END,
       CASE WHEN removed THEN officer END, CASE WHEN removed THEN 'Uploaded in error' END
FROM (
  SELECT row_number() OVER () AS id, h.case_id, h.first_pid, n,
         1 + floor(random() * %(officers)s)::int AS officer,
         random() < 0.3 AS letter, random() < 0.03 AS removed,
         h.created_at + (now() - h.created_at) * random() AS made
  FROM bench_gen.hh AS h
  CROSS JOIN LATERAL generate_series(1, 1 + (h.case_id %% 3)) AS n
  WHERE h.case_id %% 2 = 1
) AS f
""",
)

DOWNLOADS = Step(
    "file downloads",
    "file_download",
    """
INSERT INTO file_download (id, file_id, case_id, user_id, account_id, downloaded_at)
SELECT row_number() OVER (), f.id, f.case_id, 1 + floor(random() * %(officers)s)::int, NULL,
       f.created_at + interval '2 days'
FROM evidence_file AS f
WHERE f.id %% 2 = 0
""",
)

MESSAGES = Step(
    "messages",
    "message",
    """
INSERT INTO message (id, case_id, person_id, strand_id, template_id, outbox_id, channel,
                     to_address, subject, body, status, error, provider, provider_id, attempts,
                     sent_by_id, created_at, sent_at, status_at, version)
SELECT row_number() OVER (), h.case_id, h.first_pid, NULL, NULL, NULL,
       CASE WHEN sms THEN 'sms' ELSE 'email' END,
       CASE WHEN sms THEN '07700900' || lpad((h.case_id %% 1000)::text, 3, '0')
            ELSE 'household' || h.case_id || '@example.com' END,
       CASE WHEN sms THEN NULL ELSE 'Your housing application' END,
       'About your case: ' || bench_gen.pick(bench_gen.case_summaries(), random()),
       CASE WHEN r < 0.85 THEN 'delivered' WHEN r < 0.95 THEN 'sent' ELSE 'failed' END,
       CASE WHEN r >= 0.95 THEN 'The number is not a mobile phone' END,
       CASE WHEN sms THEN 'notify' ELSE 'smtp' END, NULL, 1,
       1 + floor(random() * %(officers)s)::int, made, made, made, 1
FROM (
  SELECT h.*, random() < 0.4 AS sms, random() AS r,
         h.created_at + (now() - h.created_at) * random() AS made
  FROM bench_gen.hh AS h
  WHERE h.case_id %% 3 <> 0
) AS h
""",
)

STEPS = [FILES, DOWNLOADS, MESSAGES]
