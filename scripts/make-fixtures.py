#!/usr/bin/env python3
"""Writes the binary fixtures of Tests/ReportReadingTests/Fixtures (archives and hostile inputs).
Text quirks are written inline in the tests; only what needs gzip/zip bytes lives here."""
import gzip, io, os, struct, zipfile, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ReportReadingTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)

def report(rid="r-1", domain="example.com", ip="192.0.2.1", count=3):
    return (f'<?xml version="1.0"?><feedback><report_metadata><org_name>Example</org_name>'
            f'<email>dmarc@example.net</email><report_id>{rid}</report_id><date_range><begin>1700000000</begin>'
            f'<end>1700086399</end></date_range></report_metadata><policy_published><domain>{domain}</domain>'
            f'<p>none</p></policy_published><record><row><source_ip>{ip}</source_ip><count>{count}</count>'
            f'<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>'
            f'</row><identifiers><header_from>{domain}</header_from></identifiers><auth_results><dkim>'
            f'<domain>{domain}</domain><result>pass</result></dkim></auth_results></record></feedback>\n').encode()

def write(name, data):
    open(os.path.join(OUT, name), "wb").write(data)

base = report()
write("report.xml", base)
write("report.xml.gz", gzip.compress(base))
write("report.xml.gz.gz", gzip.compress(gzip.compress(base)))
write("concatenated.xml.gz", gzip.compress(base[:100]) + gzip.compress(base[100:]))
write("trailing-junk.xml.gz", gzip.compress(base) + b"\r\n--boundary--\r\n")
write("truncated.xml.gz", gzip.compress(base)[:-30])
write("truncated.xml", base[: len(base) // 2])
write("corrupt.xml.gz", gzip.compress(base)[:20] + b"\xff" * 40 + gzip.compress(base)[60:])
# 200 MiB of spaces: a ratio far beyond any real report.
bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
data = bomb.compress(b"<feedback>") + b"".join(bomb.compress(b"<x/>" * (1 << 18)) for _ in range(200)) + bomb.flush()
write("bomb.xml.gz", data)

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("reports/", b"")
    z.writestr("reports/a.xml", report("a"))
    z.writestr("__MACOSX/reports/._a.xml", b"\x00\x05\x16\x07junk")
    z.writestr("reports/b.xml.gz", gzip.compress(report("b")))
    z.writestr("../../etc/evil.xml", report("c"))
write("several.zip", buf.getvalue())

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
    z.writestr("stored.xml", report("stored"))
write("stored.zip", buf.getvalue())

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("bomb.xml", b"<feedback>" + b"<x/>" * (75 << 20))
write("bomb.zip", buf.getvalue())

# A member whose CRC in the central directory is wrong.
raw = bytearray(open(os.path.join(OUT, "stored.zip"), "rb").read())
cd = raw.rfind(b"PK\x01\x02")
raw[cd + 16:cd + 20] = struct.pack("<I", 0xDEADBEEF)
write("bad-crc.zip", bytes(raw))
write("truncated.zip", open(os.path.join(OUT, "stored.zip"), "rb").read()[:-40])

utf16 = base.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
write("utf16.xml", b"\xff\xfe" + utf16.encode("utf-16-le"))
