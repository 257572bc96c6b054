/*
** assets.c: the search page and its script and style, served from the
** bytes compiled into the command (srv_assets[], generated from
** server/assets/ by cmake/embed_assets.cmake). A path is looked up by
** exact match in that table: no file is ever opened, so no URL (with
** "..", %2e%2e, symlinks or anything else) reaches the file system.
*/
#include <string.h>
#include "server/server.h"

const srv_asset *srv_asset_find(const char *path) {
  for (size_t i = 0; i < srv_nassets; i++)
    if (!strcmp(path, srv_assets[i].path)) return &srv_assets[i];
  return NULL;
}
