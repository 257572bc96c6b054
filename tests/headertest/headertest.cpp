/* The public header must compile alone, warning-free, as C11 and as C++. */
#include <indaga.h>

int indaga_headertest(void);
int indaga_headertest(void) {
  indaga_search_options s = INDAGA_SEARCH_OPTIONS_INIT;
  indaga_writer_options w = INDAGA_WRITER_OPTIONS_INIT;
  indaga_open_options o = INDAGA_OPEN_OPTIONS_INIT;
  return (int)(s.k + w.version + o.version) + INDAGA_VERSION_NUMBER;
}
