/*
 * Internals of the share module: the columns of an export (written by
 * export.c, read back by match.c) and the raw HMAC behind a pseudonym.
 */
#ifndef IFFA_SRC_SHARE_H
#define IFFA_SRC_SHARE_H

#include "iffa/common.h"
#include "iffa/share.h"

/* The header line of an export, without its LF (docs/FORMATS.md). */
#define IFFA_SHARE__HEADER                                                                   \
	"key_id,kind,from_type,from_id,from_country,to_type,to_id,to_country,month,channel,"  \
	"count,amount_xof"
#define IFFA_SHARE__NCOLS 12

/* Record kinds and channels an export may name, in sorted order. */
extern const char *const iffa_share__kinds[];
extern const int iffa_share__nkinds;
extern const char *const iffa_share__channels[];
extern const int iffa_share__nchannels;

/** Index of `s` in a name table, or -1. */
int iffa_share__lookup(const char *const *names, int n, const char *s);

/**
 * HMAC-SHA256(key, "<subject>:" || normalise(id)) as 32 raw bytes.
 * @return 0, IFFA_EINVAL (nothing left after normalising), IFFA_ENOMEM, IFFA_ERROR
 */
int iffa_share__hmac(unsigned char out[32], const iffa_share_key *key, iffa_share_subject subject,
		     const char *id);

#endif
