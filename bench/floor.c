/*-------------------------------------------------------------------------
 *
 * floor.c
 *	  The floor for the merge benchmark: the core's merge in plain C, with
 *	  no server around it.
 *
 *	  cc -O2 -Isrc -o floor bench/floor.c src/likeset_core.c src/likeset_text.c
 *	  ./floor STATES_FILE [RUNS]
 *
 * STATES_FILE holds one likeset per line in text form (what
 * `psql -At -c "SELECT s FROM merge.ls_states"` prints).  Each is parsed
 * once; then, RUNS times (default 7), all of them are merged pairwise in a
 * balanced tree (1+2, 3+4, ... then the results the same way), as
 * likeset_merge_agg's stack of runs does, and the time of each whole merge
 * is taken.  Output, one line: the median milliseconds, the number of
 * input states, the result's entries and present entries, and the runs.
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include "likeset.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Give up with a message */
static void
die(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	exit(1);
}

/* Seconds on the monotonic clock */
static double
now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

/* Merge states[0..n-1] in a balanced tree; the inputs are left intact */
static LikesetData *
merge_tree(LikesetData *const *states, size_t n)
{
	LikesetData **level = malloc(n * sizeof(LikesetData *));
	bool	   *owned = calloc(n, sizeof(bool));
	LikesetData *result;

	if (level == NULL || owned == NULL)
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		level[i] = states[i];
	while (n > 1)
	{
		size_t		m = 0;

		for (size_t i = 0; i < n; i += 2)
		{
			if (i + 1 == n)
			{
				level[m] = level[i];
				owned[m] = owned[i];
			}
			else
			{
				LikesetData *merged;

				if (likeset_merge(level[i], level[i + 1], &merged) != LIKESET_OK)
					die("merge failed");
				if (owned[i])
					likeset_free(level[i]);
				if (owned[i + 1])
					likeset_free(level[i + 1]);
				level[m] = merged;
				owned[m] = true;
			}
			m++;
		}
		n = m;
	}
	result = level[0];
	free(level);
	free(owned);
	return result;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

int
main(int argc, char **argv)
{
	FILE	   *f;
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	LikesetData **states = NULL;
	size_t		nstates = 0;
	int			runs = argc > 2 ? atoi(argv[2]) : 7;
	double	   *ms;
	LikesetData *result = NULL;

	if (argc < 2 || runs < 1)
		die("usage: floor STATES_FILE [RUNS]");
	f = fopen(argv[1], "r");
	if (f == NULL)
		die("cannot open the states file");
	while ((len = getline(&line, &cap, f)) > 0)
	{
		LikesetData *s;
		LikesetError err;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (likeset_parse(line, &s, &err) != LIKESET_OK)
			die("a state does not parse");
		states = realloc(states, (nstates + 1) * sizeof(LikesetData *));
		if (states == NULL)
			die("out of memory");
		states[nstates++] = s;
	}
	fclose(f);
	free(line);
	if (nstates == 0)
		die("no states");

	ms = malloc(runs * sizeof(double));
	if (ms == NULL)
		die("out of memory");
	for (int r = 0; r < runs; r++)
	{
		double		t0 = now_seconds();

		if (result != NULL)
			likeset_free(result);
		result = merge_tree(states, nstates);
		ms[r] = (now_seconds() - t0) * 1000.0;
	}
	qsort(ms, runs, sizeof(double), cmp_double);
	printf("%.3f %zu %u %u %d\n",
		   runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2,
		   nstates, result->nentries, result->npresent, runs);
	return 0;
}
