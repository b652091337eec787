/*
 * UTF-8 decoding for the text iffa reads from lists and counterparty files
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
 */
#ifndef IFFA_SRC_CORE_UTF8_H
#define IFFA_SRC_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/**
 * Decode the code point starting at s[0] (at most `len` bytes available).
 * @param out  receives the code point
 * @return bytes used (1..4), or 0 when the bytes are not valid UTF-8
 */
size_t iffa_utf8__decode(uint32_t *out, const unsigned char *s, size_t len);

/** Append the UTF-8 form of `cp` to out (room for 4 bytes); returns bytes written. */
size_t iffa_utf8__encode(char *out, uint32_t cp);

/**
 * Whether s[0..len) is valid UTF-8 without NUL bytes.
 * @param bad  receives the offset of the first bad byte when invalid; may be NULL
 */
int iffa_utf8__valid(const char *s, size_t len, size_t *bad);

#endif
