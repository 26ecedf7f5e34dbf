#!/bin/sh
# digest_chromium.sh - the HTML digest renders on a phone screen (TAP)
#
# PURPOSE	tests/tools/digest_sample writes the HTML digest of a busy
#		day (26 tickets, long and Cyrillic subjects) in English and
#		in Russian.  For each: the HTML names nothing external (no
#		src=, href=, url(, @import, <link, <style, class=: a mail
#		client would block or drop it), and Debian's headless
#		Chromium screenshots it at 390x2400, a phone's width.  The
#		screenshot must exist and be a PNG 390 pixels wide (IHDR),
#		and must not be blank: its pixels, decoded from the IDAT
#		with python3's zlib, take more than one value, and the
#		digest's dark header band (#1d3557) covers at least 390x50
#		pixels, so the inline styles were applied.  Chromium's
#		output is printed when it fails.
#		Negative controls: an HTML with a <link> fails the external
#		check; a blank PNG fails the picture check.
#		Without Chromium (package chromium) the test is skipped,
#		except in CI (CI set and not "false"), where it must run:
#		scripts/install-deps.sh installs the package.
#		PD_DIGEST_PNG_DIR, when set, receives copies of the PNGs.
#
# SPDX-License-Identifier: MIT

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=$(cd "${top_builddir:-.}" && pwd)
sample="$top_builddir/tests/tools/digest_sample"

browser=
for b in chromium chromium-browser; do
	if command -v "$b" > /dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	if [ -n "${CI:-}" ] && [ "${CI:-}" != false ]; then
		echo "Bail out! chromium is not installed, and CI must run" \
		    "this test (scripts/install-deps.sh installs it)"
		exit 1
	fi
	echo "1..0 # SKIP chromium not installed (package chromium)"
	exit 0
fi
if [ ! -x "$sample" ]; then
	echo "Bail out! $sample missing: run make first"
	exit 99
fi

. "$top_srcdir/tests/unit/tap.sh"
tap_init digest_chromium

# external FILE - print the lines of FILE that name something external;
# status 0 when there are none
external() {
	! grep -n -i -E 'src=|href=|url\(|@import|<link|<style|class=' "$1"
}

# shoot HTML PNG - the screenshot of HTML at 390x2400; Chromium's output
# goes to $tmp/chromium.out.  HOME and the profile stay in $tmp.
shoot() {
	HOME="$tmp" timeout 120 "$browser" --headless --no-sandbox \
	    --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
	    --no-first-run --user-data-dir="$tmp/profile" \
	    --screenshot="$2" --window-size=390,2400 "file://$1" \
	    > "$tmp/chromium.out" 2>&1
}

# picture PNG - check the PNG as described above; prints what it found
picture() {
	python3 - "$1" << 'EOF'
import struct, sys, zlib

def fail(why):
    print(why)
    sys.exit(1)

try:
    data = open(sys.argv[1], 'rb').read()
except OSError as e:
    fail('cannot read: %s' % e)
if data[:8] != b'\x89PNG\r\n\x1a\n':
    fail('no PNG signature')
pos, idat, ihdr = 8, b'', None
while pos + 8 <= len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        ihdr = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
if ihdr is None:
    fail('no IHDR')
width, height, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
if width != 390:
    fail('IHDR width %d, not 390' % width)
channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
if depth != 8 or channels is None:
    fail('unexpected PNG format: depth %d, colour type %d' % (depth, ctype))
raw = zlib.decompress(idat)
bpp, stride = channels, width * channels
prev = bytearray(stride)
colours, band = set(), 0
for y in range(height):
    row = raw[y * (stride + 1):(y + 1) * (stride + 1)]
    f, line = row[0], bytearray(row[1:])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1:
            line[i] = (line[i] + a) & 255
        elif f == 2:
            line[i] = (line[i] + b) & 255
        elif f == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + pr) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + bpp])
        colours.add(px)
        if px[:3] == b'\x1d\x35\x57':
            band += 1
    prev = line
print('%dx%d, %d colours, %d header pixels' %
      (width, height, len(colours), band))
if len(colours) < 2:
    fail('blank: one colour')
if band < 390 * 50:
    fail('no header band: styles not applied?')
EOF
}

# blank_png FILE - a 390x2400 white PNG (the negative control)
blank_png() {
	python3 - "$1" << 'EOF'
import struct, sys, zlib

def chunk(kind, body):
    return (struct.pack('>I', len(body)) + kind + body +
            struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff))

rows = b''.join(b'\x00' + b'\xff' * (390 * 3) for _ in range(2400))
with open(sys.argv[1], 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n')
    f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', 390, 2400, 8, 2, 0, 0,
                                      0)))
    f.write(chunk(b'IDAT', zlib.compress(rows)))
    f.write(chunk(b'IEND', b''))
EOF
}

for lang in en ru; do
	html="$tmp/digest-$lang.html"
	png="$tmp/digest-$lang.png"
	"$sample" -l "$lang" "$html" 2> "$tmp/sample.err"
	tap $? "$lang: digest_sample writes the HTML digest"
	diag "$tmp/sample.err"
	external "$html" > "$tmp/external"
	tap $? "$lang: the HTML names nothing external"
	diag "$tmp/external"
	shoot "$html" "$png"
	rc=$?
	tap $rc "$lang: chromium --headless --screenshot exits 0"
	[ "$rc" -eq 0 ] || diag "$tmp/chromium.out"
	picture "$png" > "$tmp/picture"
	rc=$?
	found=$(tr '\n' ' ' < "$tmp/picture")
	tap $rc "$lang: a PNG 390 wide, not blank, header drawn: $found"
	[ "$rc" -eq 0 ] || diag "$tmp/chromium.out"
	if [ -n "${PD_DIGEST_PNG_DIR:-}" ] && [ -f "$png" ]; then
		cp "$png" "$html" "$PD_DIGEST_PNG_DIR/"
	fi
done

# Negative controls.
printf '<html><head><link rel="stylesheet" href="x.css"></head></html>\n' \
    > "$tmp/linked.html"
! external "$tmp/linked.html" > /dev/null
tap $? "control: an HTML with <link> fails the external check"
blank_png "$tmp/blank.png" && ! picture "$tmp/blank.png" > "$tmp/picture"
rc=$?
found=$(tr '\n' ' ' < "$tmp/picture")
tap $rc "control: a blank PNG fails the picture check: $found"

tap_end
