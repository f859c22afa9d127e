#!/usr/bin/env python3
"""Writes one large aggregate report (seeded, deterministic) for throughput and memory checks:
  scripts/make-large-report.py OUT.xml MEGABYTES"""
import random, sys

out, megabytes = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
target = megabytes << 20
with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n<report_metadata><org_name>google.com</org_name>'
            '<email>noreply-dmarc-support@google.com</email><report_id>17942395871245871234</report_id>'
            '<date_range><begin>1793232000</begin><end>1793318399</end></date_range></report_metadata>\n'
            '<policy_published><domain>acme-hr.ch</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp>'
            '<pct>100</pct></policy_published>\n')
    written, n = 0, 0
    while written < target:
        ip = f"192.0.{rng.randrange(256)}.{rng.randrange(256)}" if rng.random() < 0.8 else \
            f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
        dkim, spf = rng.choice(["pass", "fail"]), rng.choice(["pass", "fail"])
        rec = (f"  <record>\n    <row>\n      <source_ip>{ip}</source_ip>\n      <count>{rng.randrange(1, 500)}</count>\n"
               f"      <policy_evaluated>\n        <disposition>none</disposition>\n        <dkim>{dkim}</dkim>\n"
               f"        <spf>{spf}</spf>\n      </policy_evaluated>\n    </row>\n    <identifiers>\n"
               f"      <header_from>acme-hr.ch</header_from>\n      <envelope_from>bounce.provider.example</envelope_from>\n"
               f"    </identifiers>\n    <auth_results>\n      <dkim>\n        <domain>acme-hr.ch</domain>\n"
               f"        <selector>hr{n % 3}</selector>\n        <result>{dkim}</result>\n      </dkim>\n      <spf>\n"
               f"        <domain>bounce.provider.example</domain>\n        <scope>mfrom</scope>\n        <result>pass</result>\n"
               f"      </spf>\n    </auth_results>\n  </record>\n")
        f.write(rec)
        written += len(rec)
        n += 1
    f.write("</feedback>\n")
print(n, "records")
