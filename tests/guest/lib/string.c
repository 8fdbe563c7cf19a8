// SPDX-License-Identifier: GPL-2.0
/*
 * string.c - the few string functions the Guest (and the compiler, which
 * may emit calls to memset/memcpy for struct copies) needs.
 *
 * GCC can recognise a byte loop as memset() and call it, which inside
 * memset() itself would recurse; the string instructions avoid that.
 */
#include "libguest.h"

void *memset(void *s, int c, size_t n)
{
	void *d = s;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

/* Overlapping backwards: copy from the end with the direction flag set. */
void *memmove(void *dst, const void *src, size_t n)
{
	if (dst <= src || (const char *)src + n <= (char *)dst)
		return memcpy(dst, src, n);
	if (n) {
		void *d = (char *)dst + n - 1;
		const void *s = (const char *)src + n - 1;

		asm volatile("std\n\trep movsb\n\tcld"
			     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}
