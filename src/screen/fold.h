/*
 * Text folding for name matching: the form in which two spellings of a
 * name are compared. See fold.c.
 */
#ifndef IFFA_SRC_SCREEN_FOLD_H
#define IFFA_SRC_SCREEN_FOLD_H

#include <stddef.h>

/**
 * Fold UTF-8 text `in` (`len` bytes) into `out`, which must have room for
 * len + 1 bytes: Latin letters with diacritics become lower-case ASCII
 * (é -> e, ß -> ss, ṣ -> s, Ɗ -> d), apostrophes vanish (Jama'a -> jamaa),
 * every other character that is not a letter or digit (punctuation,
 * hyphens, spaces, symbols) separates tokens. Arabic script keeps its
 * letters, without vowel marks, with alef, ta marbuta and alef maqsura
 * forms unified; other scripts are kept as they are. Invalid UTF-8 bytes
 * separate tokens. Tokens come out separated by one space, with no space
 * at either end.
 *
 * Time complexity: O(len).
 * @return length of the folded text, without its NUL
 */
size_t iffa_screen__fold(char *out, const char *in, size_t len);

#endif
