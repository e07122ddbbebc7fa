# bench/plot.gp: cost per operation against set size, for like and membership.
# gnuplot -e "likefile='like.dat'; memberfile='member.dat'; outfile='cost_vs_size.png'" bench/plot.gp
# Data files (bench/run.sh writes them from results.csv): one line per set
# size, columns size counter likeset normalized jsonb, median latency in µs
# (NaN where an approach has no such operation).

set terminal pngcairo size 1400,600 noenhanced font "DejaVu Sans,11"
set output outfile
set datafile missing "NaN"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set xrange [6:160000]
set xtics ("10" 10, "200" 200, "10,000" 10000, "100,000" 100000)
set xlabel "likes per page (set size)"
set ylabel "median latency per operation, µs (log)"
set key top left Left reverse box opaque
set format y "%.0f"

set style line 1 lc rgb "#7f7f7f" lw 2 pt 7 ps 1.3
set style line 2 lc rgb "#d62728" lw 3 pt 5 ps 1.4
set style line 3 lc rgb "#1f77b4" lw 2 pt 9 ps 1.5
set style line 4 lc rgb "#2ca02c" lw 2 pt 13 ps 1.5

set multiplot layout 1,2 title "likeset vs a counter column, a normalized LWW table and a jsonb map (one run of bench/run.sh)"

set title "like (add a new user), synchronous_commit=off"
plot likefile using 1:2 with linespoints ls 1 title "counter (n = n + 1)", \
     likefile using 1:3 with linespoints ls 2 title "likeset (likes + user)", \
     likefile using 1:4 with linespoints ls 3 title "normalized (upsert)", \
     likefile using 1:5 with linespoints ls 4 title "jsonb (likes || {user: ts})"

set title "did user X like page P?"
plot memberfile using 1:3 with linespoints ls 2 title "likeset (likes @> user)", \
     memberfile using 1:4 with linespoints ls 3 title "normalized (EXISTS, primary key)", \
     memberfile using 1:5 with linespoints ls 4 title "jsonb (likes ? user)"

unset multiplot
