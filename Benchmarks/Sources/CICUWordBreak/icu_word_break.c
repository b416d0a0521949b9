#include "icu_word_break.h"
#include <unicode/ubrk.h>

int64_t icu_count_words(const uint16_t *text, int32_t length) {
  UErrorCode status = U_ZERO_ERROR;
  UBreakIterator *bi = ubrk_open(UBRK_WORD, "en", (const UChar *)text, length, &status);
  if (U_FAILURE(status)) return -1;
  int64_t words = 0;
  for (int32_t end = ubrk_next(bi); end != UBRK_DONE; end = ubrk_next(bi)) {
    if (ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT) words++;
  }
  ubrk_close(bi);
  return words;
}
