# bench/scale/growth.gp: the plot of bench/RESULTS-scale.md. bench/scale/run.sh
# runs it as
#   gnuplot -e "indaga='F1'; fts5='F2'; out='SVG'; budget=MIB" growth.gp
# with F1, F2 the engines' lines of figures.tsv (columns: growth.awk): build
# time, peak RSS and query p50/p99 (no snippets) against corpus size, log-log,
# each engine with a dotted line that extends its 1x value linearly.

set terminal svg size 960,720 dynamic enhanced font "sans,12" background "white"
set output out
set datafile separator "\t"
set datafile missing "-"
set logscale xy
set grid
set key top left font ",9" samplen 2 spacing 0.9 opaque
set xlabel "corpus, MB"
set xtics (300, 1000, 3000)
set xrange [200:8000]

set multiplot layout 2,2 title "indaga and SQLite FTS5 against corpus size (1x, 4x, 16x the legislation)"

do for [p = 1:4] {
    col = (p == 1) ? 4 : (p == 2) ? 6 : (p == 3) ? 9 : 10
    set title (p == 1) ? "build wall time" : (p == 2) ? "peak RSS of the build" : \
              (p == 3) ? "query p50 (no snippets)" : "query p99 (no snippets)"
    set ylabel (p == 1) ? "s" : (p == 2) ? "MiB" : "ms"
    stats indaga using 3:col every ::0::0 nooutput
    xi = STATS_min_x
    yi = STATS_min_y
    stats fts5 using 3:col every ::0::0 nooutput
    xf = STATS_min_x
    yf = STATS_min_y
    if (p == 2) {
        plot indaga using 3:col with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "indaga", \
             fts5 using 3:col with linespoints lw 2 pt 5 lc rgb "#d62728" title "FTS5", \
             yi * x / xi with lines dt 3 lc rgb "#1f77b4" title "indaga, linear from 1x", \
             yf * x / xf with lines dt 3 lc rgb "#d62728" title "FTS5, linear from 1x", \
             budget with lines dt 2 lc rgb "#555555" title sprintf("indaga's budget, %d MiB", budget)
    } else {
        plot indaga using 3:col with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "indaga", \
             fts5 using 3:col with linespoints lw 2 pt 5 lc rgb "#d62728" title "FTS5", \
             yi * x / xi with lines dt 3 lc rgb "#1f77b4" title "indaga, linear from 1x", \
             yf * x / xf with lines dt 3 lc rgb "#d62728" title "FTS5, linear from 1x"
    }
}
unset multiplot
