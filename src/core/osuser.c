/* See osuser.h. */
#define _POSIX_C_SOURCE 200809L
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "core/osuser.h"

void iffa_core__os_user(char *out, size_t size)
{
	struct passwd pw, *found = NULL;
	char buf[4096];
	uid_t uid = geteuid();

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found && found->pw_name)
		snprintf(out, size, "%s", found->pw_name);
	else
		snprintf(out, size, "uid %lu", (unsigned long)uid);
}
