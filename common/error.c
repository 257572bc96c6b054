/*
** error.c: status codes, their names and the version calls.
*/
#include <errno.h>
#include "common/common.h"

const char *indaga_strerror(int rc) {
  switch (rc) {
  case INDAGA_OK:        return "ok";
  case INDAGA_ERROR:     return "error";
  case INDAGA_ENOMEM:    return "out of memory";
  case INDAGA_EIO:       return "input/output error";
  case INDAGA_ENOSPC:    return "no space left on device";
  case INDAGA_ECORRUPT:  return "index is corrupt";
  case INDAGA_EBUSY:     return "index is locked by another writer";
  case INDAGA_EMISUSE:   return "invalid argument";
  case INDAGA_ENOINDEX:  return "no index";
  case INDAGA_ENOTFOUND: return "not found";
  case INDAGA_EVERSION:  return "unsupported index format version";
  case INDAGA_EINPUT:    return "unreadable input";
  case INDAGA_EREFUSED:  return "refused: the paths differ from the index's roots";
  case INDAGA_ELIMIT:    return "query over its work budget";
  case INDAGA_ECANCELED: return "query cancelled";
  default:               return "unknown error";
  }
}

int indaga__errno_status(int e) {
  switch (e) {
  case ENOSPC:
#ifdef EDQUOT
  case EDQUOT:
#endif
    return INDAGA_ENOSPC;
  case ENOMEM: return INDAGA_ENOMEM;
  default:     return INDAGA_EIO;
  }
}

int indaga_libversion_number(void) { return INDAGA_VERSION_NUMBER; }
const char *indaga_libversion(void) { return INDAGA_VERSION_STRING; }
