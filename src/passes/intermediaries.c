/* placeholder */
#include "iffa/passes.h"
int iffa_pass_intermediaries(iffa_findings *out, const iffa_flowgraph *g,
			     const iffa_intermediaries_params *p)
{
	(void)out; (void)g; (void)p;
	return 0;
}
