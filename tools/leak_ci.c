/* leak_ci.c: the leak report in the two formats CI systems read
 * (leak_output.h): SARIF 2.1.0, which code-scanning tools show as findings
 * at a source line, and JUnit XML, which test-report viewers show as
 * failed tests. Writes only to the stream it is given.
 *
 * SARIF: one run; the driver "memsnap" with one rule per reported kind
 * (memsnap/definite-leak, memsnap/indirect-leak, memsnap/possible-leak,
 * memsnap/still-reachable); one result per listed group, level "error" for
 * a failing kind and "warning" otherwise, located at the innermost frame
 * that has a source file, with the whole traceback as its stack. A source
 * path under the current directory is given relative to it (uriBaseId
 * SRCROOT, which originalUriBaseIds maps to the directory), any other
 * absolute path as a file:// URI. A relative path from the debug
 * information is relative to where the file was compiled, which the
 * snapshot does not say: it is taken as relative to SRCROOT too, right
 * when memsnap runs where the build ran (a project's root, in CI).
 *
 * JUnit: one suite, "memsnap leaks", one test case per listed group, named
 * by its title; a failing kind's case holds a <failure> with the
 * traceback, the others the traceback as <system-out>. No group: one
 * passing case, "no leaks". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leak_words.h"
#include "leak_output.h"
#include "report.h"
#include "statistics.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define SOURCE_ROOT  "SRCROOT"

static const struct {
    const char *id, *name, *description;
} sarif_rules[] = {
    [CLI_LEAK_DEFINITE] = { "memsnap/definite-leak", "DefiniteLeak",
                            "Memory definitely lost: no pointer to the block is left" },
    [CLI_LEAK_INDIRECT] = { "memsnap/indirect-leak", "IndirectLeak",
                            "Memory indirectly lost: only lost blocks point to the block" },
    [CLI_LEAK_POSSIBLE] = { "memsnap/possible-leak", "PossibleLeak",
                            "Memory possibly lost: only pointers into the block's interior "
                            "are left" },
    [CLI_LEAK_REACHABLE] = { "memsnap/still-reachable", "StillReachable",
                             "Memory still reachable at exit: never freed, but still "
                             "pointed to" },
};

#define SARIF_RULES (sizeof sarif_rules / sizeof sarif_rules[0])

/* ---- SARIF ----------------------------------------------------------------- */

/* text with every byte but unreserved ones and '/' as %XX (RFC 3986). */
static char *percent_encoded(const char *text)
{
    char *encoded = malloc(strlen(text) * 3 + 1), *out = encoded;
    if (encoded == NULL)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p) != NULL)
            *out++ = (char)*p;
        else
            out += sprintf(out, "%%%02X", *p);
    }
    *out = '\0';
    return encoded;
}

/* An artifactLocation for file, as the top comment says; directory is the
 * current one (NULL when unknown). */
static json_t *artifact_location(const char *file, const char *directory)
{
    size_t length = directory != NULL ? strlen(directory) : 0;
    int under = file[0] == '/' && length > 0 && strncmp(file, directory, length) == 0 &&
                (file[length] == '/' || directory[length - 1] == '/');
    const char *relative = under ? file + length + (file[length] == '/') : file;
    char *encoded = percent_encoded(relative);
    json_t *location = json_object();
    if (encoded == NULL)
        return location;
    if (file[0] == '/' && !under) {
        char *uri = malloc(strlen(encoded) + 8);
        if (uri != NULL) {
            sprintf(uri, "file://%s", encoded);
            json_object_set_new(location, "uri", json_string(uri));
            free(uri);
        }
    } else {
        json_object_set_new(location, "uri", json_string(encoded));
        json_object_set_new(location, "uriBaseId", json_string(SOURCE_ROOT));
    }
    free(encoded);
    return location;
}

/* A SARIF location of one source frame: the file and line when known, the
 * function as a logical location when the frame names one. */
static json_t *frame_location(const cli_location_t *location, const char *directory)
{
    json_t *object = json_object();
    if (location->file != NULL) {
        json_t *physical = json_object();
        json_object_set_new(physical, "artifactLocation",
                            artifact_location(location->file, directory));
        if (location->line > 0)
            json_object_set_new(physical, "region",
                                json_pack("{s:i}", "startLine", (int)location->line));
        json_object_set_new(object, "physicalLocation", physical);
    }
    if (location->symbol != NULL)
        json_object_set_new(object, "logicalLocations",
                            json_pack("[{s:o, s:s}]", "name", cli_json_text(location->symbol),
                                      "kind", "function"));
    char text[8192];
    json_object_set_new(object, "message",
                        json_pack("{s:o}", "text",
                                  cli_json_text(cli_format_location(text, sizeof text,
                                                                    location))));
    return object;
}

static json_t *sarif_driver(const cli_leak_check_t *check)
{
    json_t *rules = json_array();
    for (size_t kind = 0; kind < SARIF_RULES; kind++) {
        int failing = (check->failing_kinds & CLI_LEAK_MASK(kind)) != 0;
        json_array_append_new(
            rules, json_pack("{s:s, s:s, s:{s:s}, s:{s:s}}", "id", sarif_rules[kind].id, "name",
                             sarif_rules[kind].name, "shortDescription", "text",
                             sarif_rules[kind].description, "defaultConfiguration", "level",
                             failing ? "error" : "warning"));
    }
    return json_pack("{s:s, s:s, s:o}", "name", "memsnap", "version", MEMSNAP_VERSION, "rules",
                     rules);
}

static json_t *sarif_result(const cli_leak_group_t *group, const char *directory)
{
    char title[160];
    json_t *result = json_pack(
        "{s:s, s:i, s:s, s:{s:s}}", "ruleId", sarif_rules[group->kind].id, "ruleIndex",
        (int)group->kind, "level", group->failing ? "error" : "warning", "message", "text",
        cli_leak_title(title, sizeof title, group));
    json_t *frames = json_array();
    int located = 0;
    for (size_t i = 0; i < group->nlocations; i++) {
        const cli_location_t *location = &group->locations[i];
        json_t *frame = json_pack("{s:o}", "location", frame_location(location, directory));
        if (location->module != NULL)
            json_object_set_new(frame, "module", cli_json_text(location->module));
        json_array_append_new(frames, frame);
        if (!located && location->file != NULL) {
            json_object_set_new(result, "locations",
                                json_pack("[o]", frame_location(location, directory)));
            located = 1;
        }
    }
    if (group->nlocations > 0)
        json_object_set_new(result, "stacks",
                            json_pack("[{s:{s:s}, s:o}]", "message", "text",
                                      "where the blocks were allocated", "frames", frames));
    else
        json_decref(frames);
    json_object_set_new(result, "properties",
                        json_pack("{s:s, s:I, s:I, s:i}", "kind",
                                  cli_leak_kind_names[group->kind], "size",
                                  (json_int_t)group->amount.size, "count",
                                  (json_int_t)group->amount.count, "traceback",
                                  (int)group->traceback));
    return result;
}

int cli_leak_report_sarif(FILE *stream, const cli_leak_check_t *check)
{
    char *directory = getcwd(NULL, 0);
    json_t *results = json_array();
    for (size_t i = 0; i < check->ngroups; i++) {
        if (check->groups[i].listed)
            json_array_append_new(results, sarif_result(&check->groups[i], directory));
    }
    json_t *run = json_pack("{s:{s:o}, s:o}", "tool", "driver", sarif_driver(check), "results",
                            results);
    if (directory != NULL) {
        /* A directory URI ends with '/', so that relative ones resolve in it. */
        char *encoded = percent_encoded(directory);
        char *uri = encoded != NULL ? malloc(strlen(encoded) + 9) : NULL;
        if (uri != NULL) {
            sprintf(uri, "file://%s%s", encoded,
                    encoded[0] != '\0' && encoded[strlen(encoded) - 1] == '/' ? "" : "/");
            json_object_set_new(run, "originalUriBaseIds",
                                json_pack("{s:{s:s}}", SOURCE_ROOT, "uri", uri));
        }
        free(uri);
        free(encoded);
    }
    free(directory);
    json_t *root = json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0",
                             "runs", run);
    return cli_dump_json(stream, root);
}

/* ---- JUnit ----------------------------------------------------------------- */

/* text as XML character data, or as an attribute value, where line
 * breaks and tabs must be written as references to survive. */
static void xml_text(FILE *stream, const char *text, int attribute)
{
    char *clean = cli_clean_text(text);
    for (const char *c = clean != NULL ? clean : "?"; *c != '\0'; c++) {
        switch (*c) {
        case '&': fputs("&amp;", stream); break;
        case '<': fputs("&lt;", stream); break;
        case '>': fputs("&gt;", stream); break;
        case '"': fputs("&quot;", stream); break;
        case '\'': fputs("&apos;", stream); break;
        case '\n': fputs(attribute ? "&#10;" : "\n", stream); break;
        case '\r': fputs("&#13;", stream); break;
        case '\t': fputs(attribute ? "&#9;" : "\t", stream); break;
        default: fputc(*c, stream);
        }
    }
    free(clean);
}

/* The group's traceback as the text report shows it, without colour. */
static char *group_text(const cli_leak_group_t *group)
{
    char *text = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(&text, &length);
    if (memory == NULL)
        return NULL;
    cli_leak_print_group(memory, group, 0);
    if (fclose(memory) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void junit_case(FILE *stream, const cli_leak_group_t *group)
{
    char title[160];
    cli_leak_title(title, sizeof title, group);
    char *traceback = group_text(group);
    fputs("    <testcase classname=\"memsnap.leaks\" name=\"", stream);
    xml_text(stream, title, 1);
    fputs("\">\n", stream);
    if (group->failing) {
        fputs("      <failure message=\"", stream);
        xml_text(stream, title, 1);
        fprintf(stream, "\" type=\"%s\">", cli_leak_kind_names[group->kind]);
        xml_text(stream, traceback != NULL ? traceback : title, 0);
        fputs("</failure>\n", stream);
    } else {
        fputs("      <system-out>", stream);
        xml_text(stream, traceback != NULL ? traceback : title, 0);
        fputs("</system-out>\n", stream);
    }
    fputs("    </testcase>\n", stream);
    free(traceback);
}

int cli_leak_report_junit(FILE *stream, const cli_leak_check_t *check)
{
    size_t tests = check->listed_groups > 0 ? check->listed_groups : 1, failures = 0;
    for (size_t i = 0; i < check->ngroups; i++)
        failures += check->groups[i].listed && check->groups[i].failing ? 1 : 0;
    fprintf(stream,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"memsnap\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n"
            "  <testsuite name=\"memsnap leaks\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"0\">\n",
            tests, failures, tests, failures);
    for (size_t i = 0; i < check->ngroups; i++) {
        if (check->groups[i].listed)
            junit_case(stream, &check->groups[i]);
    }
    if (check->listed_groups == 0)
        fputs("    <testcase classname=\"memsnap.leaks\" name=\"no leaks\"/>\n", stream);
    fputs("  </testsuite>\n</testsuites>\n", stream);
    return ferror(stream) ? -1 : 0;
}
