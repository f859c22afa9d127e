#!/usr/bin/env python3
"""Writes samples/: small aggregate reports in several receivers' styles for the README's first
command. Re-run after changing it; the output is committed so the samples never depend on Python."""
import gzip, io, os, zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "samples", "reports")
os.makedirs(OUT, exist_ok=True)
DAY = 1_794_873_600  # 2026-11-17 00:00:00 UTC

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

# Google style, gzip: acme-hr.ch authorises the provider by SPF.
google = report("google.com", "noreply-dmarc-support@google.com", "17942395871245871234", DAY, "acme-hr.ch", [
    rec("192.0.2.10", 412, "none", "fail", "pass", "acme-hr.ch", "acme-hr.ch", [], [("acme-hr.ch", "mfrom", "pass")]),
    # the SPF record lost the provider's include: spf-not-authorized
    rec("192.0.2.11", 37, "none", "fail", "fail", "acme-hr.ch", "acme-hr.ch", [], [("acme-hr.ch", "mfrom", "softfail")]),
    # over ten DNS lookups: spf-record-error
    rec("192.0.2.12", 12, "none", "fail", "fail", "acme-hr.ch", "acme-hr.ch", [], [("acme-hr.ch", "mfrom", "permerror")]),
    # the provider's own bounce domain in the envelope: spf-not-aligned
    rec("192.0.2.13", 9, "none", "fail", "fail", "acme-hr.ch", "bounce.provider.example", [], [("bounce.provider.example", "mfrom", "pass")]),
    # DNS timed out at the receiver: transient
    rec("192.0.2.14", 4, "none", "fail", "fail", "acme-hr.ch", "acme-hr.ch", [], [("acme-hr.ch", "mfrom", "temperror")]),
    # somebody else: unauthorized-source
    rec("203.0.113.45", 3, "none", "fail", "fail", "acme-hr.ch", "spammer.example", [], [("spammer.example", "mfrom", "pass")]),
])
with gzip.open(os.path.join(OUT, "google.com!acme-hr.ch!1794873600!1794959999.xml.gz"), "wb", compresslevel=9) as f:
    f.write(google.encode())

# Microsoft style with prefixes and the dmarc-2.0 namespace, zip: beispiel-ag.de signs with DKIM.
ms_ns = "urn:ietf:params:xml:ns:dmarc-2.0"
outlook = report("Outlook.com", "dmarcreport@microsoft.com", "a1f2c3d4e5f60718293a4b5c6d7e8f90", DAY, "beispiel-ag.de", [
    rec("192.0.2.20", 280, "none", "pass", "fail", "beispiel-ag.de", "bounce.provider.example", [("beispiel-ag.de", "hr1", "pass")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
    # hr2's key is not published: dkim-key-missing
    rec("192.0.2.21", 19, "quarantine", "fail", "fail", "beispiel-ag.de", "bounce.provider.example", [("beispiel-ag.de", "hr2", "fail")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
    # signed with the provider's own domain only: dkim-not-aligned
    rec("2001:db8:100::25", 5, "none", "fail", "fail", "beispiel-ag.de", "bounce.provider.example", [("mail.provider.example", "p1", "pass")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
    # an old selector nobody configured: dkim-selector-unknown
    rec("192.0.2.23", 6, "quarantine", "fail", "fail", "beispiel-ag.de", "bounce.provider.example", [("beispiel-ag.de", "old2024", "fail")], [("bounce.provider.example", "mfrom", "pass")], ns="d:"),
], p="quarantine", ns="d:", root_attrs=f' xmlns:d="{ms_ns}"')
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("enterprise.protection.outlook.com!beispiel-ag.de!1794873600!1794959999.xml", outlook)
open(os.path.join(OUT, "enterprise.protection.outlook.com!beispiel-ag.de!1794873600!1794959999.zip"), "wb").write(buf.getvalue())

# Yahoo style, plain XML: contoso-talent.com routes its mail through its own relay.
yahoo = report("Yahoo", "dmarchelp@yahooinc.com", "1794960000.512311", DAY, "contoso-talent.com", [
    rec("198.51.100.7", 150, "none", "pass", "pass", "contoso-talent.com", "contoso-talent.com", [("contoso-talent.com", "relay2026", "pass")], [("contoso-talent.com", "mfrom", "pass")]),
    # the provider sent directly: relay-bypassed
    rec("192.0.2.12", 8, "reject", "fail", "fail", "contoso-talent.com", "bounce.provider.example", [("mail.provider.example", "p1", "pass")], [("bounce.provider.example", "mfrom", "pass")]),
    # the relay itself fails: relay-failure
    rec("198.51.100.9", 7, "reject", "fail", "fail", "contoso-talent.com", "contoso-talent.com", [("contoso-talent.com", "relay2026", "fail")], [("contoso-talent.com", "mfrom", "fail")]),
    # a mailing list forwarded it: forwarded
    rec("209.85.220.41", 2, "none", "fail", "fail", "contoso-talent.com", "lists.example.org", [("contoso-talent.com", "relay2026", "fail")], [("lists.example.org", "mfrom", "pass")], reasons=[("mailing_list", "")]),
    # a row with no messages: empty
    rec("198.51.100.7", 0, "none", "pass", "pass", "contoso-talent.com", "contoso-talent.com", [], []),
], p="reject")
open(os.path.join(OUT, "yahoo.com!contoso-talent.com!1794873600!1794959999.xml"), "w").write(yahoo)

# GMX, RFC 9990 (dmarc-2.0 namespace, np, testing, discovery_method, generator), IDN domain written
# as U-label, and a domain no tenant has configured.
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
    <domain>xn--mller-gmbh-9db.de</domain>
    <discovery_method>treewalk</discovery_method>
    <adkim>r</adkim><aspf>r</aspf>
    <p>none</p><sp>none</sp><np>reject</np>
    <testing>n</testing>
  </policy_published>
  <record>
    <row><source_ip>192.0.2.30</source_ip><count>64</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>Müller-GmbH.de</header_from><envelope_from>bounce.provider.example</envelope_from></identifiers>
    <auth_results>
      <dkim><domain>xn--mller-gmbh-9db.de</domain><selector>hr2026</selector><result>pass</result><human_result>good signature</human_result></dkim>
      <spf><domain>bounce.provider.example</domain><scope>mfrom</scope><result>pass</result></spf>
    </auth_results>
  </record>
  <record>
    <row><source_ip>192.0.2.31</source_ip><count>3</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>new-customer.example</header_from></identifiers>
    <auth_results>
      <spf><domain>bounce.provider.example</domain><scope>mfrom</scope><result>pass</result></spf>
    </auth_results>
  </record>
</feedback>
'''
open(os.path.join(OUT, "gmx.net!xn--mller-gmbh-9db.de!1794873600!1794959999.xml"), "w").write(gmx)
