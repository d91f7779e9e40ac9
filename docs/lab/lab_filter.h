/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lab grader's test filter. scripts/lab.sh builds a copy of each
 * selftest with this file in place of its TEST_HARNESS_MAIN line
 * ("#define main shmr_lab_harness_main", TEST_HARNESS_MAIN, "#undef main",
 * then this file), so the harness keeps its own main() under another
 * name and this one trims its test list first.
 *
 * SHMR_LAB_TESTS: space-separated "fixture.test" names (TEST() tests are
 * in fixture "global"); every variant of a named test runs. Unset: every
 * test runs, as in the plain selftest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int shmr_lab_wanted(const char *list, const char *fixture,
			   const char *test)
{
	char name[256];
	const char *p;
	size_t n;

	snprintf(name, sizeof(name), "%s.%s", fixture, test);
	n = strlen(name);
	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *list = getenv("SHMR_LAB_TESTS");
	struct __fixture_metadata *f;
	struct __test_metadata *t, *first, *last;

	for (f = __fixture_list; list && f; f = f->next) {
		first = last = NULL;
		for (t = f->tests; t; t = t->next) {
			if (!shmr_lab_wanted(list, f->name, t->name))
				continue;
			if (last)
				last->next = t;
			else
				first = t;
			last = t;
		}
		if (last) {
			last->next = NULL;
			first->prev = last;
		}
		f->tests = first;
	}
	return shmr_lab_harness_main(argc, argv);
}
