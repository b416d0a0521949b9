#include <stdint.h>
/// Counts the words (spans whose rule status says letter, number, kana or ideograph) ICU's word break
/// iterator finds in UTF-16 text. Returns -1 on an ICU error.
int64_t icu_count_words(const uint16_t *text, int32_t length);
