#!/usr/bin/env bash
# `dmarc dns check --all` for N configured domains (default 5,000) against a local knotd on loopback,
# on a private PostgreSQL cluster: the wall time of the whole run (resolving, judging, storing).
# The domains mix the three methods (2/5 spf, 2/5 dkim with two selectors, 1/5 relay), each with a
# DMARC record whose rua is authorised by the provider's zone, so every check asks all it can.
#   swift build [-c release] --product dmarc && scripts/bench-dns.sh [WORKDIR] [DOMAINS]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/dmarc-dns-bench}; domains=${2:-5000}
bin=${BIN:-.build/debug/dmarc}
port=${PORT:-53999}

rm -rf "$work"; mkdir -p "$work"; chmod 755 "$work"
key=$(openssl genrsa 2048 2>/dev/null | openssl rsa -pubout -outform DER 2>/dev/null | base64 -w0)
python3 - "$work" "$domains" "$key" "$port" <<'PY'
import sys
work, count, key, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def strings(text):
    return " ".join('"%s"' % text[i:i + 200] for i in range(0, len(text), 200))
zone = ["$ORIGIN bench.test.", "$TTL 3600", "@ SOA ns hostmaster 1 60 60 60 60", "@ NS ns", "ns A 127.0.0.1"]
provider = ["$ORIGIN provider.test.", "$TTL 3600", "@ SOA ns hostmaster 1 60 60 60 60", "@ NS ns", "ns A 127.0.0.1",
            '_spf TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8:100::/48 -all"']
yaml = ["provider:", "  name: Bench Provider", "  networks: [192.0.2.0/24, \"2001:db8:100::/48\"]",
        "  spf_include: _spf.provider.test", "  report_address: dmarc@reports.provider.test", "tenants:"]
for i in range(count):
    d = "d%05d" % i
    domain = d + ".bench.test"
    zone.append('_dmarc.%s TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.provider.test"' % d)
    provider.append('%s._report._dmarc.reports TXT "v=DMARC1"' % domain)
    kind = i % 5
    yaml += ["  - id: t%05d" % i, "    name: Tenant %d" % i, "    language: %s" % ("de" if i % 2 else "en"), "    domains:"]
    if kind in (0, 1):
        zone.append('%s TXT "v=spf1 mx include:_spf.provider.test -all"' % d)
        zone.append('%s MX 10 mail.%s' % (d, d))
        zone.append('mail.%s A 198.51.100.%d' % (d, i % 250 + 1))
        yaml.append("      - {domain: %s, method: spf}" % domain)
    elif kind in (2, 3):
        zone.append('hr1._domainkey.%s TXT %s' % (d, strings("v=DKIM1; k=rsa; p=" + key)))
        zone.append('hr2._domainkey.%s CNAME hr2.keys.provider.test.' % d)
        yaml.append("      - {domain: %s, method: dkim, dkim_selectors: [hr1, hr2]}" % domain)
    else:
        zone.append('%s TXT "v=spf1 ip4:203.0.113.0/24 -all"' % d)
        yaml.append("      - {domain: %s, method: relay, relay_networks: [203.0.113.0/24]}" % domain)
provider.append('hr2.keys TXT %s' % strings("v=DKIM1; k=rsa; p=" + key))
open(work + "/bench.test.zone", "w").write("\n".join(zone) + "\n")
open(work + "/provider.test.zone", "w").write("\n".join(provider) + "\n")
open(work + "/tenants.yaml", "w").write("\n".join(yaml) + "\n")
open(work + "/knot.conf", "w").write(f"""server:
    listen: 127.0.0.1@{port}
    rundir: {work}
    user: root:root
database:
    storage: {work}/db
log:
  - target: {work}/knot.log
    any: warning
template:
  - id: default
    storage: {work}
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: bench.test
    file: bench.test.zone
  - domain: provider.test
    file: provider.test.zone
""")
PY
knotd -c "$work/knot.conf" & knot=$!

source scripts/private-cluster.sh
private_cluster "$work/pg"
trap 'kill $knot; $stop_cluster >/dev/null' EXIT
"$bin" tenants apply --database "$db" "$work/tenants.yaml" | tail -1
until "$bin" dns check --database "$db" --domain d00000.bench.test --resolver "127.0.0.1:$port" --no-store \
    --timeout-ms 200 --tries 1 | grep -q "^checked 1 domain: 1 ok"; do :; done  # knotd has loaded the zones

echo "== dmarc dns check --all: $domains domains"
/usr/bin/time -v "$bin" dns check --all --database "$db" --resolver "127.0.0.1:$port" > "$work/out.txt" 2> "$work/time.txt"
tail -1 "$work/out.txt"
grep -E "Elapsed \(wall clock\)|Maximum resident|User time|System time" "$work/time.txt"
psql "$db" -Atc "SELECT count(*) || ' rows stored, ' || sum(jsonb_array_length(answers)) || ' answers' FROM dns_checks"
