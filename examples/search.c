/*
** search.c: the embedding example of README.md. Opens an index, runs one
** query, and prints each hit's citation and snippet.
**
**   cc search.c $(pkg-config --cflags --libs indaga) -o search
**   ./search INDEX_DIR "combatientes terroristas extranjeros"
*/
#include <stdio.h>
#include <indaga.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s INDEX_DIR QUERY\n", argv[0]);
    return 2;
  }
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = indaga_index_open(&idx, argv[1], NULL, &err);
  if (rc != INDAGA_OK) {
    fprintf(stderr, "%s: %s\n", indaga_strerror(rc), err ? err : argv[1]);
    indaga_free(err);
    return 2;
  }

  indaga_search_options opts = INDAGA_SEARCH_OPTIONS_INIT;
  opts.k = 5;
  indaga_results *res = NULL;
  rc = indaga_search(&res, idx, argv[2], &opts);
  if (rc != INDAGA_OK) {
    fprintf(stderr, "search failed: %s\n", res ? indaga_results_errmsg(res) : indaga_strerror(rc));
    indaga_results_free(res);
    indaga_index_close(idx);
    return 2;
  }

  for (size_t i = 0; i < indaga_results_count(res); i++) {
    const indaga_hit *h = indaga_results_hit(res, i);
    printf("%u. %s", h->rank, h->symbol ? h->symbol : h->doc);
    if (h->part_label) printf(" · %s", h->part_label);
    if (h->label) printf(" · párr. %s", h->label);
    else printf(" · párr. %u", h->paragraph);
    printf("  (%.2f)\n   %.*s\n", h->score, (int)h->snippet_len, h->snippet);
  }
  printf("%zu of about %llu matches\n", indaga_results_count(res),
         (unsigned long long)indaga_results_total(res));

  indaga_results_free(res);     /* hits and their strings die here */
  indaga_index_close(idx);
  return 0;
}
