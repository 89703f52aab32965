#!/usr/bin/env bash
# `cmake --install` into a temporary prefix: the binary, the static
# library, the headers, the man page, the bash completion and the
# pkg-config file land where they should; a small program builds against
# the installed library with pkg-config and runs; the
# man page documents every option each command's --help lists; the bash
# completion offers commands, options and detection names.
set -u
bin=${PH_BINDIR:?}
src=${PH_SRCDIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1"; }

pre=$tmp/prefix
if ! cmake --install "$bin" --prefix "$pre" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"; bad "cmake --install"; exit 1
fi
ok "cmake --install"
for f in bin/peephole include/peephole/run.h include/peephole/check.h \
         share/man/man1/peephole.1 share/bash-completion/completions/peephole; do
  if [ -e "$pre/$f" ]; then ok "installed $f"; else bad "missing $f"; fi
done
lib=$(find "$pre" -name libpeephole.a | head -1)
pc=$(find "$pre" -name peephole.pc | head -1)
[ -n "$lib" ] && ok "installed $lib" || bad "libpeephole.a not installed"
[ -n "$pc" ] && ok "installed $pc" || bad "peephole.pc not installed"

# The installed binary runs.
"$pre/bin/peephole" --version | grep -q '^peephole [0-9]' \
  && ok "installed binary --version" || bad "installed binary --version"

# A program built against the installed library with pkg-config.
if [ -n "$pc" ] && command -v pkg-config >/dev/null && command -v cc >/dev/null; then
  cat > "$tmp/use.c" <<'C'
#include <stdio.h>
#include <peephole/run.h>
#include <peephole/finding.h>
int main(void)
{
	struct ph_findings *f = ph_findings_new(8);
	printf("%s %u\n", ph_severity_name(PH_SEV_HIGH), ph_findings_count(f));
	ph_findings_free(f);
	return 0;
}
C
  extra=
  if grep -q '^PH_SANITIZE:BOOL=ON' "$bin/CMakeCache.txt" 2>/dev/null; then
    extra="-fsanitize=address,undefined"
  fi
  flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs peephole 2>"$tmp/pc.err")
  if [ -z "$flags" ]; then cat "$tmp/pc.err"; bad "pkg-config peephole"
  elif cc $extra -o "$tmp/use" "$tmp/use.c" $flags 2>"$tmp/cc.err" &&
       [ "$("$tmp/use")" = "high 0" ]; then
    ok "program built with pkg-config against the installed library runs"
  else
    cat "$tmp/cc.err"; bad "program built against the installed library"
  fi
else
  echo "SKIP pkg-config build (pkg-config or cc missing)"
fi

# The man page names every option of every command's --help.
man=$src/man/peephole.1
for cmd in check logs update ioc; do
  for opt in $("$bin/peephole" $cmd --help 2>&1 | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | tr -d ' ,' | sort -u); do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    if grep -q -- "$esc" "$man"; then :; else bad "man page lacks $cmd $opt"; fi
  done
done
ok "man page checked against every --help"
if command -v man >/dev/null; then
  if MANWIDTH=80 man --warnings -l "$man" 2>"$tmp/man.err" >/dev/null && ! grep -q . "$tmp/man.err"; then
    ok "man page renders without warnings"
  else
    cat "$tmp/man.err"; bad "man page warnings"
  fi
fi

# Bash completion.
comp() { # words... ; prints COMPREPLY
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _peephole; printf "%s\n" "${COMPREPLY[@]}"' _ "$src/completions/peephole.bash" "$@"
}
PATH=$bin:$PATH
comp peephole ch | grep -qx check && ok "completion: commands" || bad "completion: commands"
comp peephole check --ide | grep -qx -- --identifiers && ok "completion: check options" || bad "completion: check options"
comp peephole check --detections known | grep -qx known_bad && ok "completion: detection names" || bad "completion: detection names"
comp peephole check --color "" | grep -qx never && ok "completion: --color values" || bad "completion: --color values"

echo "TOTAL cli_install: $passes passed, $fails failed"
[ "$fails" = 0 ]
