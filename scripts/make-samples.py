#!/usr/bin/env python3
"""Writes samples/: small aggregate reports in several receivers' styles for the README's first
command. Re-run after changing it; the output is committed so the samples never depend on Python."""
import gzip, io, os, zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "samples", "reports")
os.makedirs(OUT, exist_ok=True)
DAY = 1_793_232_000  # 2026-10-29 00:00:00 UTC

def rec(ip, count, disp, dkim, spf, hfrom, efrom, dkims, spfs, reasons=(), ns=""):
    r = [f"<{ns}record><{ns}row><{ns}source_ip>{ip}</{ns}source_ip><{ns}count>{count}</{ns}count>",
         f"<{ns}policy_evaluated><{ns}disposition>{disp}</{ns}disposition><{ns}dkim>{dkim}</{ns}dkim><{ns}spf>{spf}</{ns}spf>"]
    for t, c in reasons:
        r.append(f"<{ns}reason><{ns}type>{t}</{ns}type><{ns}comment>{c}</{ns}comment></{ns}reason>")
    r.append(f"</{ns}policy_evaluated></{ns}row><{ns}identifiers><{ns}header_from>{hfrom}</{ns}header_from>")
    if efrom:
        r.append(f"<{ns}envelope_from>{efrom}</{ns}envelope_from>")
    r.append(f"</{ns}identifiers><{ns}auth_results>")
    for d, sel, res in dkims:
        r.append(f"<{ns}dkim><{ns}domain>{d}</{ns}domain><{ns}selector>{sel}</{ns}selector><{ns}result>{res}</{ns}result></{ns}dkim>")
    for d, scope, res in spfs:
        r.append(f"<{ns}spf><{ns}domain>{d}</{ns}domain><{ns}scope>{scope}</{ns}scope><{ns}result>{res}</{ns}result></{ns}spf>")
    r.append(f"</{ns}auth_results></{ns}record>")
    return "".join(r)

def report(org, email, rid, begin, domain, records, p="none", ns="", root_attrs="", extra_policy=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{ns}feedback{root_attrs}>\n'
            f"<{ns}version>1.0</{ns}version>\n"
            f"<{ns}report_metadata><{ns}org_name>{org}</{ns}org_name><{ns}email>{email}</{ns}email>"
            f"<{ns}report_id>{rid}</{ns}report_id><{ns}date_range><{ns}begin>{begin}</{ns}begin>"
            f"<{ns}end>{begin + 86399}</{ns}end></{ns}date_range></{ns}report_metadata>\n"
            f"<{ns}policy_published><{ns}domain>{domain}</{ns}domain><{ns}adkim>r</{ns}adkim><{ns}aspf>r</{ns}aspf>"
            f"<{ns}p>{p}</{ns}p><{ns}sp>{p}</{ns}sp>{extra_policy}</{ns}policy_published>\n"
            + "\n".join(records) + f"\n</{ns}feedback>\n")

# Google style, gzip: acme-hr.ch uses SPF; provider IPs pass, one provider IP fails (SPF record lost it).
google = report("google.com", "noreply-dmarc-support@google.com", "17942395871245871234", DAY, "acme-hr.ch", [
    rec("192.0.2.10", 412, "none", "fail", "pass", "acme-hr.ch", "acme-hr.ch", [("mail.provider.example", "p1", "pass")], [("acme-hr.ch", "mfrom", "pass")]),
    rec("192.0.2.11", 37, "none", "fail", "fail", "acme-hr.ch", "acme-hr.ch", [("mail.provider.example", "p1", "pass")], [("acme-hr.ch", "mfrom", "softfail")]),
    rec("203.0.113.45", 3, "none", "fail", "fail", "acme-hr.ch", "spammer.example", [], [("spammer.example", "mfrom", "pass")]),
])
with gzip.open(os.path.join(OUT, "google.com!acme-hr.ch!1793232000!1793318399.xml.gz"), "wb", compresslevel=9) as f:
    f.write(google.encode())

# Microsoft style with prefixes, zip: beispiel-ag.de uses DKIM; one selector's key is missing.
ms_ns = "urn:ietf:params:xml:ns:dmarc-2.0"
outlook = report("Outlook.com", "dmarcreport@microsoft.com", "a1f2c3d4e5f60718293a4b5c6d7e8f90", DAY, "beispiel-ag.de", [
    rec("192.0.2.20", 280, "none", "pass", "fail", "beispiel-ag.de", "bounce.provider.example", [("beispiel-ag.de", "hr1", "pass")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
    rec("192.0.2.21", 19, "quarantine", "fail", "fail", "beispiel-ag.de", "bounce.provider.example", [("beispiel-ag.de", "hr2", "fail")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
    rec("2001:db8:100::25", 5, "none", "fail", "fail", "beispiel-ag.de", "bounce.provider.example", [("mail.provider.example", "p1", "pass")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
], p="quarantine", ns="d:", root_attrs=f' xmlns:d="{ms_ns}"')
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("enterprise.protection.outlook.com!beispiel-ag.de!1793232000!1793318399.xml", outlook)
open(os.path.join(OUT, "enterprise.protection.outlook.com!beispiel-ag.de!1793232000!1793318399.zip"), "wb").write(buf.getvalue())

# Yahoo style, plain XML: contoso-talent.com routes through its own relay; the provider bypassed it once.
yahoo = report("Yahoo", "dmarchelp@yahooinc.com", "1793318400.512311", DAY, "contoso-talent.com", [
    rec("198.51.100.7", 150, "none", "pass", "pass", "contoso-talent.com", "contoso-talent.com", [("contoso-talent.com", "relay2026", "pass")], [("contoso-talent.com", "mfrom", "pass")]),
    rec("192.0.2.12", 8, "reject", "fail", "fail", "contoso-talent.com", "bounce.provider.example", [("mail.provider.example", "p1", "pass")], [("bounce.provider.example", "mfrom", "pass")]),
    rec("198.51.100.8", 2, "none", "fail", "fail", "contoso-talent.com", "contoso-talent.com", [("contoso-talent.com", "relay2026", "fail")], [("contoso-talent.com", "mfrom", "fail")], reasons=[("forwarded", "")]),
], p="reject")
open(os.path.join(OUT, "yahoo.com!contoso-talent.com!1793232000!1793318399.xml"), "w").write(yahoo)

# GMX, RFC 9990 (dmarc-2.0 namespace, np, testing, discovery_method, generator), IDN domain.
gmx = f'''<?xml version="1.0" encoding="UTF-8"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <version>1.0</version>
  <report_metadata>
    <org_name>GMX</org_name>
    <email>noreply-dmarc@gmx.net</email>
    <report_id>e8e7c1b4-2f64-4c8e-9d7e-5b0f0d1a2c3e</report_id>
    <date_range><begin>{DAY}</begin><end>{DAY + 86399}</end></date_range>
    <generator>GMX DMARC Reporter 2.1</generator>
  </report_metadata>
  <policy_published>
    <domain>xn--nicode-gmbh-shb.de</domain>
    <discovery_method>treewalk</discovery_method>
    <adkim>r</adkim><aspf>r</aspf>
    <p>none</p><sp>none</sp><np>reject</np>
    <testing>n</testing>
  </policy_published>
  <record>
    <row><source_ip>192.0.2.30</source_ip><count>64</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>Ünicode-GmbH.de</header_from><envelope_from>xn--nicode-gmbh-shb.de</envelope_from></identifiers>
    <auth_results>
      <dkim><domain>mail.provider.example</domain><selector>p1</selector><result>pass</result><human_result>good signature</human_result></dkim>
      <spf><domain>xn--nicode-gmbh-shb.de</domain><scope>mfrom</scope><result>permerror</result><human_result>too many DNS lookups</human_result></spf>
    </auth_results>
  </record>
</feedback>
'''
open(os.path.join(OUT, "gmx.net!xn--nicode-gmbh-shb.de!1793232000!1793318399.xml"), "w").write(gmx)
