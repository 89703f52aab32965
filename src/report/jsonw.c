/* JSON numbers and strings exactly as Zeek's JSON log writer prints them
 * (see jsonw.h). Doubles: Grisu2 digit generation and RapidJSON's layout,
 * ported from RapidJSON include/rapidjson/internal/{diyfp,dtoa}.h (MIT
 * licence; Copyright (C) 2015 THL A29 Limited, a Tencent company, and Milo
 * Yip), because Zeek prints with RapidJSON's Writer::Double and Grisu2 is
 * not always the shortest form: only the same algorithm gives the same
 * digits. Strings: Zeek's util.cc escape_utf8(ESCAPE_UNPRINTABLE_CONTROLS)
 * followed by RapidJSON's string escaping. No allocation, no state. */
#include "report/jsonw.h"

#include <math.h>
#include <string.h>

/* ---- integers ---------------------------------------------------------- */

/* "00" "01" ... "99": two digits per division. */
static const char digits2[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t ph_jsonw_u64(char *out, uint64_t v)
{
	char tmp[PH_JSONW_U64_MAX];
	size_t i = sizeof tmp;
	while (v >= 100) {
		i -= 2;
		memcpy(tmp + i, digits2 + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, digits2 + 2 * v, 2);
	} else {
		tmp[--i] = (char)('0' + v);
	}
	memcpy(out, tmp + i, sizeof tmp - i);
	return sizeof tmp - i;
}

size_t ph_jsonw_i64(char *out, int64_t v)
{
	if (v >= 0)
		return ph_jsonw_u64(out, (uint64_t)v);
	out[0] = '-';
	return 1 + ph_jsonw_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}

/* ---- doubles: Grisu2 (Loitsch, PLDI 2010) as RapidJSON implements it ---- */

/* A "do-it-yourself" float: f * 2^e with a 64-bit significand. */
struct diyfp {
	uint64_t f;
	int e;
};

#define DP_SIG_BITS 52
#define DP_EXP_BIAS (0x3FF + DP_SIG_BITS)
#define DP_EXP_MASK 0x7FF0000000000000u
#define DP_SIG_MASK 0x000FFFFFFFFFFFFFu
#define DP_HIDDEN 0x0010000000000000u

/* 10^-348, 10^-340, ..., 10^340 normalised (RapidJSON kCachedPowers). */
static const uint64_t cached_f[87] = {
	0xfa8fd5a0081c0288u, 0xbaaee17fa23ebf76u, 0x8b16fb203055ac76u,
	0xcf42894a5dce35eau, 0x9a6bb0aa55653b2du, 0xe61acf033d1a45dfu,
	0xab70fe17c79ac6cau, 0xff77b1fcbebcdc4fu, 0xbe5691ef416bd60cu,
	0x8dd01fad907ffc3cu, 0xd3515c2831559a83u, 0x9d71ac8fada6c9b5u,
	0xea9c227723ee8bcbu, 0xaecc49914078536du, 0x823c12795db6ce57u,
	0xc21094364dfb5637u, 0x9096ea6f3848984fu, 0xd77485cb25823ac7u,
	0xa086cfcd97bf97f4u, 0xef340a98172aace5u, 0xb23867fb2a35b28eu,
	0x84c8d4dfd2c63f3bu, 0xc5dd44271ad3cdbau, 0x936b9fcebb25c996u,
	0xdbac6c247d62a584u, 0xa3ab66580d5fdaf6u, 0xf3e2f893dec3f126u,
	0xb5b5ada8aaff80b8u, 0x87625f056c7c4a8bu, 0xc9bcff6034c13053u,
	0x964e858c91ba2655u, 0xdff9772470297ebdu, 0xa6dfbd9fb8e5b88fu,
	0xf8a95fcf88747d94u, 0xb94470938fa89bcfu, 0x8a08f0f8bf0f156bu,
	0xcdb02555653131b6u, 0x993fe2c6d07b7facu, 0xe45c10c42a2b3b06u,
	0xaa242499697392d3u, 0xfd87b5f28300ca0eu, 0xbce5086492111aebu,
	0x8cbccc096f5088ccu, 0xd1b71758e219652cu, 0x9c40000000000000u,
	0xe8d4a51000000000u, 0xad78ebc5ac620000u, 0x813f3978f8940984u,
	0xc097ce7bc90715b3u, 0x8f7e32ce7bea5c70u, 0xd5d238a4abe98068u,
	0x9f4f2726179a2245u, 0xed63a231d4c4fb27u, 0xb0de65388cc8ada8u,
	0x83c7088e1aab65dbu, 0xc45d1df942711d9au, 0x924d692ca61be758u,
	0xda01ee641a708deau, 0xa26da3999aef774au, 0xf209787bb47d6b85u,
	0xb454e4a179dd1877u, 0x865b86925b9bc5c2u, 0xc83553c5c8965d3du,
	0x952ab45cfa97a0b3u, 0xde469fbd99a05fe3u, 0xa59bc234db398c25u,
	0xf6c69a72a3989f5cu, 0xb7dcbf5354e9beceu, 0x88fcf317f22241e2u,
	0xcc20ce9bd35c78a5u, 0x98165af37b2153dfu, 0xe2a0b5dc971f303au,
	0xa8d9d1535ce3b396u, 0xfb9b7cd9a4a7443cu, 0xbb764c4ca7a44410u,
	0x8bab8eefb6409c1au, 0xd01fef10a657842cu, 0x9b10a4e5e9913129u,
	0xe7109bfba19c0c9du, 0xac2820d9623bf429u, 0x80444b5e7aa7cf85u,
	0xbf21e44003acdd2du, 0x8e679c2f5e44ff8fu, 0xd433179d9c8cb841u,
	0x9e19db92b4e31ba9u, 0xeb96bf6ebadf77d9u, 0xaf87023b9bf0ee6bu
};
static const int16_t cached_e[87] = {
	-1220, -1193, -1166, -1140, -1113, -1087, -1060, -1034, -1007, -980,
	-954, -927, -901, -874, -847, -821, -794, -768, -741, -715, -688, -661,
	-635, -608, -582, -555, -529, -502, -475, -449, -422, -396, -369, -343,
	-316, -289, -263, -236, -210, -183, -157, -130, -103, -77, -50, -24, 3,
	30, 56, 83, 109, 136, 162, 189, 216, 242, 269, 295, 322, 348, 375, 402,
	428, 455, 481, 508, 534, 561, 588, 614, 641, 667, 694, 720, 747, 774,
	800, 827, 853, 880, 907, 933, 960, 986, 1013, 1039, 1066
};

static const uint64_t pow10_u64[20] = {
	1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
	100000000u, 1000000000u, 10000000000u, 100000000000u,
	1000000000000u, 10000000000000u, 100000000000000u,
	1000000000000000u, 10000000000000000u, 100000000000000000u,
	1000000000000000000u, 10000000000000000000u
};

static struct diyfp diy_of_double(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	int biased = (int)((u & DP_EXP_MASK) >> DP_SIG_BITS);
	uint64_t sig = u & DP_SIG_MASK;
	if (biased)
		return (struct diyfp){sig + DP_HIDDEN, biased - DP_EXP_BIAS};
	return (struct diyfp){sig, -DP_EXP_BIAS + 1};
}

/* Product rounded to the upper 64 bits (RapidJSON's portable variant; it
 * rounds exactly like its __int128 one). */
static struct diyfp diy_mul(struct diyfp x, struct diyfp y)
{
	const uint64_t m32 = 0xFFFFFFFFu;
	uint64_t a = x.f >> 32, b = x.f & m32, c = y.f >> 32, d = y.f & m32;
	uint64_t ac = a * c, bc = b * c, ad = a * d, bd = b * d;
	uint64_t tmp = (bd >> 32) + (ad & m32) + (bc & m32);
	tmp += (uint64_t)1 << 31;
	return (struct diyfp){ac + (ad >> 32) + (bc >> 32) + (tmp >> 32),
			      x.e + y.e + 64};
}

static struct diyfp diy_normalize(struct diyfp x)
{
	int s = __builtin_clzll(x.f);
	return (struct diyfp){x.f << s, x.e - s};
}

static struct diyfp diy_normalize_boundary(struct diyfp x)
{
	while (!(x.f & (DP_HIDDEN << 1))) {
		x.f <<= 1;
		x.e--;
	}
	x.f <<= 64 - DP_SIG_BITS - 2;
	x.e -= 64 - DP_SIG_BITS - 2;
	return x;
}

/* The neighbours' midpoints m- and m+, on m+'s exponent. */
static void diy_boundaries(struct diyfp v, struct diyfp *minus,
			   struct diyfp *plus)
{
	struct diyfp pl = diy_normalize_boundary(
		(struct diyfp){(v.f << 1) + 1, v.e - 1});
	struct diyfp mi = v.f == DP_HIDDEN
				  ? (struct diyfp){(v.f << 2) - 1, v.e - 2}
				  : (struct diyfp){(v.f << 1) - 1, v.e - 1};
	mi.f <<= mi.e - pl.e;
	mi.e = pl.e;
	*plus = pl;
	*minus = mi;
}

static struct diyfp cached_power(int e, int *k_out)
{
	double dk = (-61 - e) * 0.30102999566398114 + 347;
	int k = (int)dk;
	if (dk - k > 0.0)
		k++;
	unsigned idx = (unsigned)((k >> 3) + 1);
	*k_out = -(-348 + (int)(idx << 3));
	return (struct diyfp){cached_f[idx], cached_e[idx]};
}

static void grisu_round(char *buf, int len, uint64_t delta, uint64_t rest,
			uint64_t ten_kappa, uint64_t wp_w)
{
	while (rest < wp_w && delta - rest >= ten_kappa &&
	       (rest + ten_kappa < wp_w ||
		wp_w - rest > rest + ten_kappa - wp_w)) {
		buf[len - 1]--;
		rest += ten_kappa;
	}
}

static int count_digits32(uint32_t n)
{
	int d = 1;
	while (d < 9 && n >= pow10_u64[d])
		d++;
	return d;
}

/* Digits of W within (Mp - delta, Mp]; *K receives the decimal exponent. */
static void digit_gen(struct diyfp w, struct diyfp mp, uint64_t delta,
		      char *buf, int *len, int *K)
{
	const struct diyfp one = {(uint64_t)1 << -mp.e, mp.e};
	const uint64_t wp_w = mp.f - w.f;
	uint32_t p1 = (uint32_t)(mp.f >> -one.e);
	uint64_t p2 = mp.f & (one.f - 1);
	int kappa = count_digits32(p1);
	*len = 0;
	while (kappa > 0) {
		uint32_t div = (uint32_t)pow10_u64[kappa - 1];
		uint32_t d = p1 / div;
		p1 %= div;
		if (d || *len)
			buf[(*len)++] = (char)('0' + d);
		kappa--;
		uint64_t tmp = ((uint64_t)p1 << -one.e) + p2;
		if (tmp <= delta) {
			*K += kappa;
			grisu_round(buf, *len, delta, tmp,
				    pow10_u64[kappa] << -one.e, wp_w);
			return;
		}
	}
	for (;;) {
		p2 *= 10;
		delta *= 10;
		char d = (char)(p2 >> -one.e);
		if (d || *len)
			buf[(*len)++] = (char)('0' + d);
		p2 &= one.f - 1;
		kappa--;
		if (p2 < delta) {
			*K += kappa;
			int index = -kappa;
			grisu_round(buf, *len, delta, p2, one.f,
				    wp_w * (index < 20 ? pow10_u64[index] : 0));
			return;
		}
	}
}

static void grisu2(double value, char *buf, int *len, int *K)
{
	struct diyfp v = diy_of_double(value), w_m, w_p;
	diy_boundaries(v, &w_m, &w_p);
	struct diyfp c_mk = cached_power(w_p.e, K);
	struct diyfp w = diy_mul(diy_normalize(v), c_mk);
	struct diyfp wp = diy_mul(w_p, c_mk);
	struct diyfp wm = diy_mul(w_m, c_mk);
	wm.f++;
	wp.f--;
	digit_gen(w, wp, wp.f - wm.f, buf, len, K);
}

static size_t write_exponent(int k, char *p)
{
	size_t n = 0;
	if (k < 0) {
		p[n++] = '-';
		k = -k;
	}
	if (k >= 100)
		p[n++] = (char)('0' + k / 100);
	if (k >= 10)
		p[n++] = (char)('0' + k / 10 % 10);
	p[n++] = (char)('0' + k % 10);
	return n;
}

/* RapidJSON's Prettify() with maxDecimalPlaces = 324 (its default, where
 * the truncating branches cannot trigger for a double). */
static size_t prettify(char *buf, int length, int k)
{
	const int kk = length + k; /* 10^(kk-1) <= v < 10^kk */
	if (0 <= k && kk <= 21) { /* 1234e7 -> 12340000000.0 */
		for (int i = length; i < kk; i++)
			buf[i] = '0';
		buf[kk] = '.';
		buf[kk + 1] = '0';
		return (size_t)kk + 2;
	}
	if (0 < kk && kk <= 21) { /* 1234e-2 -> 12.34 */
		memmove(&buf[kk + 1], &buf[kk], (size_t)(length - kk));
		buf[kk] = '.';
		return (size_t)length + 1;
	}
	if (-6 < kk && kk <= 0) { /* 1234e-6 -> 0.001234 */
		int offset = 2 - kk;
		memmove(&buf[offset], &buf[0], (size_t)length);
		buf[0] = '0';
		buf[1] = '.';
		for (int i = 2; i < offset; i++)
			buf[i] = '0';
		return (size_t)(length + offset);
	}
	if (length == 1) { /* 1e30 */
		buf[1] = 'e';
		return 2 + write_exponent(kk - 1, &buf[2]);
	}
	/* 1234e30 -> 1.234e33 */
	memmove(&buf[2], &buf[1], (size_t)(length - 1));
	buf[1] = '.';
	buf[length + 1] = 'e';
	return (size_t)length + 2 + write_exponent(kk - 1, &buf[length + 2]);
}

size_t ph_jsonw_double(char *out, double v)
{
	if (isnan(v) || isinf(v)) {
		memcpy(out, "null", 4);
		return 4;
	}
	size_t n = 0;
	if (signbit(v)) {
		out[n++] = '-';
		v = -v;
	}
	if (v == 0.0) {
		memcpy(out + n, "0.0", 3);
		return n + 3;
	}
	int len, k;
	grisu2(v, out + n, &len, &k);
	return n + prettify(out + n, len, k);
}

/* ---- times --------------------------------------------------------------- */

/* Whether sec.usec (sec in [2^20, 2^33)) is safely inside the rounding
 * interval of its nearest double: double spacing there is 2^(m-52) with
 * m = floor(log2 sec), finer than 10^-6, so the decimal is the only one
 * with 6 or fewer fraction digits in that interval and Grisu2 finds it,
 * unless it lies within 1 % of a spacing from the interval's edge (the
 * point halfway between two doubles), where the sum's rounding and
 * Grisu2's narrowed interval could go either way. Its position within the
 * spacing is usec * 2^(52-m) / 10^6 = usec * 2^(46-m) / 15625 (mod 1). */
static bool time_direct_ok(uint64_t sec, uint32_t usec)
{
	if (sec < (1u << 20) || sec >= ((uint64_t)1 << 33) || usec >= 1000000u)
		return false;
	int m = 63 - __builtin_clzll(sec);
	uint64_t k = ((uint64_t)usec << (46 - m)) % 15625u;
	return k < 7812 - 156 || k > 7813 + 156;
}

size_t ph_jsonw_time(char *out, uint64_t sec, uint32_t usec)
{
	if (!time_direct_ok(sec, usec))
		return ph_jsonw_double(out, (double)sec + (double)usec / 1e6);
	size_t n = ph_jsonw_u64(out, sec);
	out[n++] = '.';
	if (!usec) {
		out[n++] = '0';
		return n;
	}
	int len = 6;
	while (usec % 10 == 0) {
		usec /= 10;
		len--;
	}
	for (int i = len - 1; i >= 0; i--) {
		out[n + (size_t)i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	return n + (size_t)len;
}

/* ---- IPv6 addresses ------------------------------------------------------ */

/* The first longest run of zero groups (base, len); len 0 when none. */
static void zero_run(const uint16_t w[8], int *base, int *len)
{
	int cb = -1, cl = 0;
	*base = -1;
	*len = 0;
	for (int i = 0; i <= 8; i++) {
		if (i < 8 && w[i] == 0) {
			if (cb < 0)
				cb = i, cl = 0;
			cl++;
			continue;
		}
		if (cb >= 0 && cl > *len)
			*base = cb, *len = cl;
		cb = -1;
	}
}

static size_t put_hex16(char *out, uint16_t v)
{
	static const char hx[] = "0123456789abcdef";
	size_t n = 0;
	for (int sh = 12; sh >= 0; sh -= 4)
		if (v >> sh || sh == 0 || n)
			out[n++] = hx[(v >> sh) & 15];
	return n;
}

size_t ph_jsonw_ip6(char *out, const uint8_t a[16])
{
	uint16_t w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	int base, len;
	zero_run(w, &base, &len);
	if (len < 2)
		base = -1;
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (base >= 0 && i >= base && i < base + len) {
			if (i == base)
				out[n++] = ':';
			continue;
		}
		if (i)
			out[n++] = ':';
		if (i == 6 && base == 0 &&
		    (len == 6 || (len == 5 && w[5] == 0xffff))) {
			for (int j = 12; j < 16; j++) { /* embedded IPv4 */
				n += ph_jsonw_u64(out + n, a[j]);
				if (j < 15)
					out[n++] = '.';
			}
			return n;
		}
		n += put_hex16(out + n, w[i]);
	}
	if (base >= 0 && base + len == 8)
		out[n++] = ':';
	return n;
}

/* ---- strings: Zeek's escape_utf8() ------------------------------------- */

static bool is_short_ctl(uint8_t c)
{
	return c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t';
}

/* Sequence length announced by a lead byte (ConvertUTF's table). */
static unsigned utf8_len(uint8_t c)
{
	if (c < 0xC0)
		return 1;
	if (c < 0xE0)
		return 2;
	if (c < 0xF0)
		return 3;
	if (c < 0xF8)
		return 4;
	return c < 0xFC ? 5 : 6;
}

/* ConvertUTF's isLegalUTF8(): no overlongs, surrogates or > U+10FFFF. */
static bool utf8_legal(const uint8_t *s, unsigned len)
{
	if (len > 4 || s[0] > 0xF4)
		return false;
	if (len == 1)
		return s[0] < 0x80;
	for (unsigned i = 1; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return false;
	switch (s[0]) {
	case 0xE0: return s[1] >= 0xA0;
	case 0xED: return s[1] <= 0x9F;
	case 0xF0: return s[1] >= 0x90;
	case 0xF4: return s[1] <= 0x8F;
	default: return s[0] >= 0xC2;
	}
}

/* Zeek's check_ok_utf8(): legal, and not a control, private-use or
 * U+FFF0..U+FFFF character. */
static bool utf8_ok(const uint8_t *s, unsigned len)
{
	static const uint8_t lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
	if (!utf8_legal(s, len))
		return false;
	uint32_t cp = s[0] & lead_mask[len];
	for (unsigned i = 1; i < len; i++)
		cp = cp << 6 | (s[i] & 0x3Fu);
	return !(cp <= 0x1F || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
		 (cp >= 0xE000 && cp <= 0xF8FF) ||
		 (cp >= 0xFFF0 && cp <= 0xFFFF));
}

bool ph_jsonw_zeek_clean(const uint8_t *s, size_t n, bool ctl_ok)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if ((c >= 0x20 && c < 0x7F) || (ctl_ok && is_short_ctl(c))) {
			i++;
			continue;
		}
		unsigned len = utf8_len(c);
		if (len > n - i || !utf8_ok(s + i, len))
			return false;
		i += len;
	}
	return true;
}

/* RFC 8259 two-character escape for c, or 0. */
static char short_escape(uint8_t c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	default: return 0;
	}
}

/* Length of the leading run of printable ASCII other than '"' and '\\':
 * bytes that pass through both escapings unchanged. */
static size_t plain_prefix(const uint8_t *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = ones * 0x80;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) { /* 8 bytes at a time while all plain */
		uint64_t x, q, b;
		memcpy(&x, s + i, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		if ((((x - ones * 0x20) & ~x) | ((x + ones) | x) |
		     ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
			break; /* a byte < 0x20, >= 0x7F, '"' or '\\' */
	}
	while (i < n && s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"' &&
	       s[i] != '\\')
		i++;
	return i;
}

size_t ph_jsonw_zeek_str(char *out, const uint8_t *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	/* The plain prefix is copied as is; it ends on a character boundary
	 * and is clean, so the rest decides whether the whole is clean. */
	size_t i = plain_prefix(s, n);
	char *p = out;
	*p++ = '"';
	memcpy(p, s, i);
	p += i;
	bool clean = ph_jsonw_zeek_clean(s + i, n - i, true);
	for (; i < n; i++) {
		uint8_t c = s[i];
		char e = short_escape(c);
		if (e) {
			p[0] = '\\';
			p[1] = e;
			p += 2;
		} else if ((c >= 0x20 && c < 0x7F) || (clean && c >= 0x80)) {
			*p++ = (char)c;
		} else { /* Zeek's \xNN, whose backslash JSON doubles */
			memcpy(p, "\\\\x", 3);
			p[3] = hex[c >> 4];
			p[4] = hex[c & 15];
			p += 5;
		}
	}
	*p++ = '"';
	return (size_t)(p - out);
}
