#!/usr/bin/env bash
# `peephole check` identifier options (docs/identifiers.md): --help lists
# every flag; a bad value or file stops the check with exit 2 and one
# line naming the flag or FILE:LINE, without repeating the value; good
# files and flags are accepted (the capture is checked).
set -u
bin=${PH_BINDIR:?}
ph=$bin/peephole
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
export XDG_CACHE_HOME=$tmp/nocache # never read the user's cache

ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; }
expect_rc() { # name expected actual
  if [ "$2" = "$3" ]; then ok "$1 (exit $3)"; else bad "$1: exit $3, expected $2"; fi
}
# one_line NAME PATTERN: stderr is exactly one line and matches PATTERN
one_line() {
  if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$2" "$tmp/err"; then
    ok "$1 message"
  else
    bad "$1 message: $(cat "$tmp/err")"
  fi
}

"$bin/phgen" --seed 3 --minutes 1 -o "$tmp/s.pcap" || { echo "phgen failed"; exit 1; }
cap=$tmp/s.pcap
run() { "$ph" check -q --no-cache --detections devices "$@" "$cap" >"$tmp/out" 2>"$tmp/err"; }

# --- help ------------------------------------------------------------------
"$ph" check --help >"$tmp/help"
for f in --identifiers --imei --imsi --iccid --phone --email --wifi-mac \
         --bt-mac --android-id --adid --serial --device-name --user \
         --location --ssid --custom --show-secrets; do
  grep -q -- "$f " "$tmp/help" || bad "--help lacks $f"
done
ok "--help lists the identifier flags"

# --- bad values: exit 2, one line naming the flag ------------------------------
run --imei 12345678; expect_rc "short --imei" 2 $?
one_line "short --imei" "^peephole: --imei: .*14 to 16 digits"
grep -q 12345678 "$tmp/err" && bad "--imei value echoed" || ok "--imei value not echoed"
run --wifi-mac aa:bb:cc; expect_rc "bad --wifi-mac" 2 $?
one_line "bad --wifi-mac" "^peephole: --wifi-mac: not a MAC"
run --location 95,2; expect_rc "bad --location" 2 $?
one_line "bad --location" "^peephole: --location: "
run --email nobody; expect_rc "bad --email" 2 $?
"$ph" check -q --no-cache "$cap" --device-name 2>"$tmp/err"
expect_rc "--device-name without value" 3 $?
grep -q "requires an argument" "$tmp/err" && ok "missing value named" || bad "missing value: $(cat "$tmp/err")"

# --- bad files: exit 2, one line naming FILE:LINE --------------------------------
printf '# ids\nimei=490154203237518\n\nphone=+33 6 12 34 56 78\nmac=aa:bb:cc:dd:ee:ff\n' >"$tmp/ids.txt"
run --identifiers "$tmp/ids.txt"; expect_rc "unknown key in file" 2 $?
one_line "unknown key in file" "^peephole: $tmp/ids.txt:5: unknown identifier 'mac'"
printf 'imei=490154203237518\nbt_mac=zz:bb:cc:dd:ee:ff\n' >"$tmp/ids2.txt"
run --identifiers "$tmp/ids2.txt"; expect_rc "bad value in file" 2 $?
one_line "bad value in file" "^peephole: $tmp/ids2.txt:2: not a MAC"
run --identifiers "$tmp/missing.txt"; expect_rc "missing file" 2 $?
one_line "missing file" "missing.txt: No such file"

# --- good input --------------------------------------------------------------
cat >"$tmp/good.txt" <<'IDS'
# the phone under check
imei = 490154203237518
phone = +33 6 12 34 56 78
wifi_mac = AA:BB:CC:DD:EE:FF
email = jane.doe@example.org
location = 48.8566,2.3522,300
ssid = "Home Box"
IDS
run --identifiers "$tmp/good.txt" --adid 38400000-8cf0-11bd-b23e-10b96e40000d \
    --user jdoe --custom "secret token" --show-secrets
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok "good identifiers accepted (exit $rc)" || bad "good identifiers: exit $rc: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && ok "report printed" || bad "no report"

echo "cli_identifiers: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
