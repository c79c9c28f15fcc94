#!/usr/bin/env bash
# Lays out the runtime image's whole root filesystem in ROOTFS, from the build
# stage (Debian, with the build's packages installed), for a `FROM scratch`
# final stage:
#
#   usr/local/bin/    the given binaries, stripped
#   usr/lib/...       every shared library they load: ldd's closure, copied
#                     from the files Debian installed, under their soname
#   etc/ssl/certs/ca-certificates.crt   the CA bundle (libcurl's default path)
#   etc/passwd, etc/group, etc/nsswitch.conf, etc/os-release
#   var/lib/dpkg/status.d/PKG, usr/share/doc/PKG/copyright
#                     for each Debian package a file came from: its dpkg
#                     record (image scanners read status.d, as in distroless)
#                     and its licence
#   tmp/ (1777), etc/resetd/ (the config's mount point),
#   var/lib/resetd/ (the store's volume, 0700, owned by UID/GID 65532)
#
# No shell, no package manager, no coreutils. Fails if a library cannot be
# resolved or traced to its package.
# Usage: make-rootfs.sh ROOTFS BINARY...
set -euo pipefail
ROOTFS=$1
shift
BINARIES=("$@")
RUNTIME_UID=65532
RUNTIME_GID=65532

die() { echo "make-rootfs: $*" >&2; exit 1; }

# The Debian package that installed PATH (merged /usr: dpkg may know the file
# under /lib/... or /usr/lib/..., and PATH may be a symlink).
owner_of() {
  local path=$1 candidate
  for candidate in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
    if dpkg-query -S "$candidate" >/dev/null 2>&1; then
      dpkg-query -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1
      return 0
    fi
  done
  die "no Debian package owns $path"
}

# ldd's closure of every binary: "name => /path (addr)" lines and the
# interpreter's own "/lib64/ld-linux-x86-64.so.2 (addr)" line.
shared_libraries() {
  local out
  for b in "${BINARIES[@]}"; do
    out=$(ldd "$b") || die "ldd $b failed"
    if grep -q 'not found' <<<"$out"; then die "$b: unresolved libraries: $out"; fi
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$out"
  done | sort -u
}

# The base's /lib and /lib64 symlinks (Debian 12 merges /usr: /lib -> usr/lib,
# /lib64 -> usr/lib64), through which the loader and the ELF interpreter path
# (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1) are reached.
lay_out_directories() {
  install -d -m 0755 "$ROOTFS"/{etc/ssl/certs,etc/resetd,usr/local/bin,usr/share/doc}
  install -d -m 0755 "$ROOTFS"/var/lib/dpkg/status.d
  install -d -m 1777 "$ROOTFS/tmp"
  install -d -m 0700 -o "$RUNTIME_UID" -g "$RUNTIME_GID" "$ROOTFS/var/lib/resetd"
  local d
  for d in lib lib64; do
    if [[ -L /$d && -d /$d ]]; then ln -s "$(readlink "/$d")" "$ROOTFS/$d"; fi
  done
}

install_binaries() {
  local b
  for b in "${BINARIES[@]}"; do
    install -m 0755 "$b" "$ROOTFS/usr/local/bin/"
    strip --strip-all "$ROOTFS/usr/local/bin/$(basename "$b")"
  done
}

# Each library lands under its canonical directory with the name the loader
# asks for (the soname), holding the real file's bytes.
install_libraries() {
  local lib dir
  while read -r lib; do
    dir=$(readlink -f "$(dirname "$lib")")
    install -d -m 0755 "$ROOTFS$dir"
    cp -L --preserve=mode "$lib" "$ROOTFS$dir/$(basename "$lib")"
    owner_of "$lib" >>"$ROOTFS.packages"
  done < <(shared_libraries)
}

install_etc() {
  cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/"
  owner_of /usr/share/ca-certificates >>"$ROOTFS.packages"
  # Identifies the distribution to image scanners (and to people).
  cp -L /usr/lib/os-release "$ROOTFS/etc/os-release"
  cat >"$ROOTFS/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
nonroot:x:$RUNTIME_UID:$RUNTIME_GID:resetd:/var/lib/resetd:/usr/sbin/nologin
EOF
  cat >"$ROOTFS/etc/group" <<EOF
root:x:0:
nonroot:x:$RUNTIME_GID:
EOF
  cat >"$ROOTFS/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
  chmod 0644 "$ROOTFS"/etc/{passwd,group,nsswitch.conf,os-release,ssl/certs/ca-certificates.crt}
}

# dpkg's record and the copyright file of every package a file came from.
record_packages() {
  local pkg name
  sort -u "$ROOTFS.packages" | while read -r pkg; do
    name=${pkg%%:*}
    dpkg-query -s "$pkg" >"$ROOTFS/var/lib/dpkg/status.d/$name"
    if [[ -f /usr/share/doc/$name/copyright ]]; then
      install -D -m 0644 "/usr/share/doc/$name/copyright" "$ROOTFS/usr/share/doc/$name/copyright"
    fi
  done
  rm -f "$ROOTFS.packages"
}

[[ ${#BINARIES[@]} -gt 0 ]] || die "usage: make-rootfs.sh ROOTFS BINARY..."
[[ ! -e $ROOTFS ]] || die "$ROOTFS exists"
lay_out_directories
install_binaries
install_libraries
install_etc
record_packages
echo "make-rootfs: $(find "$ROOTFS" -type f | wc -l) files, $(du -sh "$ROOTFS" | cut -f1)"
