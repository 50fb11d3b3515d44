/*
 * sha256.c - SHA-256 as specified in FIPS 180-4, streaming, for the
 * input digests stored with each run (SPEC section 7, runs table).
 */
#include "ingest_int.h"

#include <string.h>

/* FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the
 * cube roots of the first 64 primes. */
static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/* Section 6.2.2: process one 512-bit block. */
static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + k256[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* 1 when the CPU has the SHA extensions and the SSSE3 and SSE4.1 that the
 * code around them needs (CPUID leaf 7 EBX bit 29; leaf 1 ECX bits 9, 19). */
static int have_sha_ni(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b >> 29) & 1;
}

/*
 * The n blocks at p with the CPU's SHA-256 instructions, section 6.2.2 four
 * rounds at a time: the state lives as ABEF and CDGH (the order
 * sha256rnds2 wants), the schedule as four words per register
 * (sha256msg1 adds sigma0, sha256msg2 sigma1).  About 4x the portable
 * code, so the thread hashing the inputs keeps up with the parser at a
 * fraction of a core.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i st0, st1, t;

	t = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);	/* DCBA */
	st1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);	/* HGFE */
	t = _mm_shuffle_epi32(t, 0xB1);				/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);			/* EFGH */
	st0 = _mm_alignr_epi8(t, st1, 8);			/* ABEF */
	st1 = _mm_blend_epi16(st1, t, 0xF0);			/* CDGH */
	for (; n; n--, p += 64) {
		__m128i abef = st0, cdgh = st1, w[4], m;

		for (int i = 0; i < 16; i++) {
			/* w[i & 3] holds words 4i-16..4i-13 until replaced by
			 * 4i..4i+3; w[(i + 1..3) & 3] hold 4i-12 .. 4i-1. */
			if (i < 4) {
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), bswap);
			} else {
				m = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
				m = _mm_add_epi32(m, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
				w[i & 3] = _mm_sha256msg2_epu32(m, w[(i + 3) & 3]);
			}
			m = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i *)(const void *)&k256[4 * i]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, m);
			st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m, 0x0E));
		}
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
	t = _mm_shuffle_epi32(st0, 0x1B);			/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);			/* DCHG */
	st0 = _mm_blend_epi16(t, st1, 0xF0);			/* DCBA */
	st1 = _mm_alignr_epi8(st1, t, 8);			/* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&h[0], st0);
	_mm_storeu_si128((__m128i *)(void *)&h[4], st1);
}
#else
static int have_sha_ni(void)
{
	return 0;
}

static void sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	(void)h;
	(void)p;
	(void)n;
}
#endif

/* The n blocks at p, with the CPU's instructions when c may use them. */
static void sha256_blocks(const struct rw_sha256 *c, uint32_t h[8],
			  const unsigned char *p, size_t n)
{
	if (c->ni) {
		sha256_blocks_ni(h, p, n);
		return;
	}
	for (; n; n--, p += 64)
		sha256_block(h, p);
}

void rw_sha256_init(struct rw_sha256 *c)
{
	/* Section 5.3.3: initial hash value. */
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, h0, sizeof(h0));
	c->ni = have_sha_ni();
	c->nbytes = 0;
	c->nblk = 0;
}

void rw_sha256_update(struct rw_sha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->nbytes += len;
	if (c->nblk) {
		size_t take = 64 - c->nblk < len ? 64 - c->nblk : len;

		memcpy(c->blk + c->nblk, p, take);
		c->nblk += take;
		p += take;
		len -= take;
		if (c->nblk < 64)
			return;
		sha256_blocks(c, c->h, c->blk, 1);
		c->nblk = 0;
	}
	sha256_blocks(c, c->h, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	if (len)
		memcpy(c->blk, p, len);
	c->nblk = len;
}

void rw_sha256_final_hex(struct rw_sha256 *c, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint64_t bits = c->nbytes * 8;
	int i;

	/* Section 5.1.1: a 1 bit, zeros, then the length as 64 bits. */
	c->blk[c->nblk++] = 0x80;
	if (c->nblk > 56) {
		memset(c->blk + c->nblk, 0, 64 - c->nblk);
		sha256_blocks(c, c->h, c->blk, 1);
		c->nblk = 0;
	}
	memset(c->blk + c->nblk, 0, 56 - c->nblk);
	for (i = 0; i < 8; i++)
		c->blk[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_blocks(c, c->h, c->blk, 1);
	for (i = 0; i < 32; i++) {
		unsigned char byte = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));

		hex[2 * i] = digits[byte >> 4];
		hex[2 * i + 1] = digits[byte & 15];
	}
	hex[64] = '\0';
}
