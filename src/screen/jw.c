/*
 * Jaro-Winkler similarity: Jaro, "Advances in record-linkage methodology
 * as applied to matching the 1985 census of Tampa, Florida", JASA 84
 * (1989); Winkler, "String comparator metrics and enhanced decision rules
 * in the Fellegi-Sunter model of record linkage" (1990). The prefix bonus
 * uses scale 0.1 over at most 4 characters, the usual choice.
 *
 * Time complexity: O(|a| * window), window = max(|a|, |b|) / 2.
 */
#include <string.h>

#include "screen/names.h"

double iffa_screen__jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char amatch[IFFA_SCREEN_TOKEN_MAX * 4], bmatch[IFFA_SCREEN_TOKEN_MAX * 4];
	size_t window, m = 0, t = 0, k = 0, prefix = 0;
	double jaro;

	if (alen == 0 || blen == 0)
		return alen == blen ? 1.0 : 0.0;
	if (alen > sizeof(amatch))
		alen = sizeof(amatch);
	if (blen > sizeof(bmatch))
		blen = sizeof(bmatch);
	window = (alen > blen ? alen : blen) / 2;
	window = window > 0 ? window - 1 : 0;
	memset(amatch, 0, alen);
	memset(bmatch, 0, blen);
	for (size_t i = 0; i < alen; i++) {
		size_t lo = i > window ? i - window : 0;
		size_t hi = i + window + 1 < blen ? i + window + 1 : blen;
		for (size_t j = lo; j < hi; j++) {
			if (bmatch[j] || a[i] != b[j])
				continue;
			amatch[i] = bmatch[j] = 1;
			m++;
			break;
		}
	}
	if (m == 0)
		return 0.0;
	for (size_t i = 0; i < alen; i++) {
		if (!amatch[i])
			continue;
		while (!bmatch[k])
			k++;
		if (a[i] != b[k])
			t++;
		k++;
	}
	jaro = ((double)m / (double)alen + (double)m / (double)blen +
		((double)m - (double)t / 2.0) / (double)m) / 3.0;
	while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}
