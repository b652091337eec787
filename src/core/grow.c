#include <stdint.h>
#include <stdlib.h>

#include "core/grow.h"
#include "iffa/common.h"

int iffa_grow(void *pptr, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (c < need) {
		if (c > SIZE_MAX / 2 / (size ? size : 1))
			return iffa_error_set(IFFA_ENOMEM, "out of memory for %zu elements", need);
		c *= 2;
	}
	if (!(n = realloc(*(void **)pptr, c * size)))
		return iffa_error_set(IFFA_ENOMEM, "out of memory");
	*(void **)pptr = n;
	*cap = c;
	return 0;
}
