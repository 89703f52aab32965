#!/usr/bin/env bash
# Installs every Debian package peephole's build, tests, fuzzing and
# benchmarks need (Debian 12 "bookworm"). Idempotent: packages already
# present are left alone. Run as root (or with sudo).
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config clang   # compilers (clang: libFuzzer)
  libpcap-dev                              # capture I/O (live capture later)
  libssl-dev                               # X.509, hashes (community_id, JA3)
  zlib1g-dev                               # gzip-compressed captures
  libjson-c-dev                            # JSON parsing (indicator feeds)
  libcurl4-openssl-dev                     # feed downloads
  libyaml-dev                              # stalkerware-indicators ioc.yaml
  libidn2-dev                              # IDN domains to punycode
  libndpi-dev libndpi-bin                  # application labels; ndpiReader peer
  libmaxminddb-dev publicsuffix            # GeoIP/ASN, registered domains
  libcmocka-dev                            # unit tests
  tshark tcpdump tcpreplay wireshark-common # peers and benchmark tools
  time python3                              # /usr/bin/time for peak RSS; test scripts
  chromium                                 # HTML report in a real browser (tests/cli/html_report.sh)
)
if [ "$(dpkg --print-architecture)" = amd64 ]; then
  pkgs+=(libhyperscan-dev)
else
  pkgs+=(libvectorscan-dev)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, non-interactively
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
