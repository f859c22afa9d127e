#!/usr/bin/env python3
"""Writes a batch of aggregate reports (seeded, deterministic) for ingest throughput checks:
  scripts/make-report-batch.py OUT_DIR FILES RECORDS_PER_FILE
Every file is one report with its own report id; rows look like scripts/make-large-report.py's."""
import os, random, sys

out, files, per_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(42)
for index in range(files):
    with open(os.path.join(out, f"report-{index:04d}.xml"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n<report_metadata><org_name>google.com</org_name>'
                f'<email>noreply-dmarc-support@google.com</email><report_id>bench-{index}</report_id>'
                f'<date_range><begin>{1793232000 + index * 86400}</begin><end>{1793318399 + index * 86400}</end></date_range>'
                '</report_metadata>\n<policy_published><domain>acme-hr.ch</domain><adkim>r</adkim><aspf>r</aspf>'
                '<p>none</p><sp>none</sp><pct>100</pct></policy_published>\n')
        for n in range(per_file):
            ip = f"192.0.{rng.randrange(256)}.{rng.randrange(256)}" if rng.random() < 0.8 else \
                f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
            dkim, spf = rng.choice(["pass", "fail"]), rng.choice(["pass", "fail"])
            f.write(f"<record><row><source_ip>{ip}</source_ip><count>{rng.randrange(1, 500)}</count>"
                    f"<policy_evaluated><disposition>none</disposition><dkim>{dkim}</dkim><spf>{spf}</spf>"
                    "</policy_evaluated></row><identifiers><header_from>acme-hr.ch</header_from>"
                    "<envelope_from>bounce.provider.example</envelope_from></identifiers><auth_results><dkim>"
                    f"<domain>acme-hr.ch</domain><selector>hr{n % 3}</selector><result>{dkim}</result></dkim><spf>"
                    "<domain>bounce.provider.example</domain><scope>mfrom</scope><result>pass</result></spf>"
                    "</auth_results></record>\n")
        f.write("</feedback>\n")
print(files * per_file, "records in", files, "files")
