// SPDX-License-Identifier: GPL-2.0
/*
 * printf.c - a small vsnprintf: %d %i %u %x %X %p %s %c %%, the flags
 * '-', '0' and '#', a field width, and "l"/"ll" (64-bit values in hex
 * only: decimal would need libgcc's 64-bit division, which we do not link).
 */
#include "libguest.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

/* Digits of v in base 10 or 16, into the end of tmp; returns the first. */
static char *format_u64(char *end, u64 v, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	u32 v32 = (u32)v;

	*--end = '\0';
	if (base == 16) {
		do {
			*--end = digits[v & 0xF];
			v >>= 4;
		} while (v);
		return end;
	}
	do {
		*--end = digits[v32 % 10];
		v32 /= 10;
	} while (v32);
	return end;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	char tmp[24], *s;

	for (; *fmt; fmt++) {
		bool left = false, alt = false, neg = false;
		char pad = ' ';
		int width = 0, lng = 0;
		u64 v = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0' || *fmt == '#'; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				alt = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			lng++;

		switch (*fmt) {
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			continue;
		case 's':
			s = va_arg(ap, char *);
			if (!s)
				s = "(null)";
			put_padded(&o, s, strlen(s), width, left, ' ');
			continue;
		case 'd':
		case 'i': {
			s32 n = va_arg(ap, s32);

			neg = n < 0;
			v = neg ? -(u32)n : (u32)n;
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			v = lng >= 2 ? va_arg(ap, u64) : va_arg(ap, u32);
			break;
		case 'p':
			v = (u32)va_arg(ap, void *);
			alt = true;
			break;
		case '%':
			put(&o, '%');
			continue;
		default:	/* unknown: print it as it was */
			put(&o, '%');
			if (!*fmt)
				goto done;
			put(&o, *fmt);
			continue;
		}

		s = format_u64(tmp + sizeof(tmp), v,
			       *fmt == 'd' || *fmt == 'i' || *fmt == 'u' ? 10 : 16,
			       *fmt == 'X');
		if (neg)
			*--s = '-';
		else if (alt && *fmt != 'd' && *fmt != 'i' && *fmt != 'u') {
			*--s = 'x';
			*--s = '0';
		}
		put_padded(&o, s, strlen(s), width, left, left ? ' ' : pad);
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, strlen(buf));
	return n;
}
