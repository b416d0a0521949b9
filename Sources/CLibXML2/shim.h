#include <libxml/xmlversion.h>
// libxml2's headers would pull in the system ICU, whose types clash with Foundation's bundled ICU.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
