/* check_run.h: what every check suite (tests/unit/check_*.c and
 * tests/tools/check_*.c) ends with: running its suite, honouring CK_FORK,
 * CK_VERBOSITY, CK_RUN_CASE..., and turning the result into the exit status
 * make reads. Header only; no test of its own. */
#ifndef MEMSNAP_CHECK_RUN_H
#define MEMSNAP_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Runs suite (the runner takes it): EXIT_SUCCESS when every test passed. */
static inline int run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
