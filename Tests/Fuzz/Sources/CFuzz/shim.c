// Header-only module: the declaration is in include/CFuzz.h.
#include "CFuzz.h"
