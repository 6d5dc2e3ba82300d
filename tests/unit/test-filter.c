/* test-filter.c - the filter language: parser, printer, errors, groups from
 * a config file, evaluation on hand-built traces (expected values worked
 * out by hand below each table), root causes, the prefilter's soundness and
 * its raw-text scanners against plain references (memmem, strtod), and
 * the corpus captures against their README's ground truth. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/config.h"
#include "xraytop/filter.h"
#include "xraytop/json-in.h"
#include "xraytop/model.h"
#include "xraytop/prefilter.h"
#include "xraytop/rootcause.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/xmalloc.h"

#include "tap.h"

/* ---------------------------------------------------------------- parsing */

/* Every example of xray-api.md 5.6, and the canonical form it prints as. */
static const struct {
	const char	*in;
	const char	*canon;
	int		 warnings;
} examples[] = {
	{ "responsetime > 5", "responsetime > 5", 0 },
	{ "duration >= 5 AND duration <= 8", "duration >= 5 AND duration <= 8", 0 },
	{ "ok", "ok", 0 },
	{ "!ok", "!ok", 0 },
	{ "ok = false", "ok = false", 0 },
	{ "rootcause.fault.entity { last and name = \"deserialize\" }",
	  "rootcause.fault.entity { last AND name = \"deserialize\" }", 0 },
	{ "rootcause.responsetime.entity { remote and coverage > 0.7 and name = \"traces\" }",
	  "rootcause.responsetime.entity { remote AND coverage > 0.7 AND name = \"traces\" }", 0 },
	{ "rootcause.fault.service { inferred and name = traces and type = \"AWS::DynamoDB\" }",
	  "rootcause.fault.service { inferred AND name = \"traces\" AND type = \"AWS::DynamoDB\" }", 1 },
	{ "service(\"data-plane\") {root = true and fault = true}",
	  "service(\"data-plane\") { root = true AND fault = true }", 0 },
	{ "http.status != 200", "http.status != 200", 0 },
	{ "ok !partial duration <3", "ok AND !partial AND duration < 3", 0 },
	{ "rootcause.fault.service { index > 5 }", "rootcause.fault.service { index > 5 }", 0 },
	{ "rootcause.responsetime.entity { last and coverage > 0.8 }",
	  "rootcause.responsetime.entity { last AND coverage > 0.8 }", 0 },
	{ "http.url CONTAINS \"/api/game/\"", "http.url CONTAINS \"/api/game/\"", 0 },
	{ "user CONTAINS \"\"", "user CONTAINS \"\"", 0 },
	{ "rootcause.fault.service { name = \"Auth\" }", "rootcause.fault.service { name = \"Auth\" }", 0 },
	{ "rootcause.responsetime.service { last and type = \"AWS::DynamoDB\" }",
	  "rootcause.responsetime.service { last AND type = \"AWS::DynamoDB\" }", 0 },
	/* The docs omit the closing brace here: accepted, with a warning. */
	{ "rootcause.fault.exception { last and message = \"Access Denied for account_id: 1234567890\"",
	  "rootcause.fault.exception { last AND message = \"Access Denied for account_id: 1234567890\" }", 1 },
	{ "service(\"api.example.com\") { fault }", "service(\"api.example.com\") { fault }", 0 },
	{ "service() { fault }", "service() { fault }", 0 },
	{ "edge(\"api.example.com\", \"backend.example.com\") { error }",
	  "edge(\"api.example.com\", \"backend.example.com\") { error }", 0 },
	{ "http.url BEGINSWITH \"http://api.example.com/\" AND http.url CONTAINS \"/v2/\" AND !service(\"api.example.com\")",
	  "http.url BEGINSWITH \"http://api.example.com/\" AND http.url CONTAINS \"/v2/\" AND !service(\"api.example.com\")", 0 },
	{ "http.url AND responseTime > 2", "http.url AND responsetime > 2", 0 },
	{ "annotation.gameid = \"817DL6VO\"", "annotation.gameid = \"817DL6VO\"", 0 },
	{ "annotation.age", "annotation.age", 0 },
	{ "!annotation.age", "!annotation.age", 0 },
	{ "annotation.age > 29", "annotation.age > 29", 0 },
	{ "group.name = \"high_response_time\" AND user = \"alice\"",
	  "group.name = \"high_response_time\" AND user = \"alice\"", 0 },
	{ "rootcause.json = #[{ \"Services\": [ { \"Name\": \"GetWeatherData\", \"EntityPath\": [{ \"Name\": \"GetWeatherData\" }, { \"Name\": \"get_temperature\" } ] }, { \"Name\": \"GetTemperature\", \"EntityPath\": [ { \"Name\": \"GetTemperature\" } ] } ] }]",
	  "rootcause.json = #[{\"Services\":[{\"Name\":\"GetWeatherData\",\"EntityPath\":[{\"Name\":\"GetWeatherData\"},{\"Name\":\"get_temperature\"}]},{\"Name\":\"GetTemperature\",\"EntityPath\":[{\"Name\":\"GetTemperature\"}]}]}]", 0 },
	{ "service(\"function-name\") { error }", "service(\"function-name\") { error }", 0 },
	{ "service(id(name: \"random-name\", type: \"AWS::Lambda::Function\")) { error }",
	  "service(id(name: \"random-name\", type: \"AWS::Lambda::Function\")) { error }", 0 },
	{ "service(id(type: \"AWS::Lambda::Function\")) { error }",
	  "service(id(type: \"AWS::Lambda::Function\")) { error }", 0 },
	{ "service(id(account.id: \"account-id\"))", "service(id(account.id: \"account-id\"))", 0 },
	{ "service(\"api.example.com\") { fault = true OR responsetime > 2.5 } AND annotation.account = \"12345\"",
	  "service(\"api.example.com\") { fault = true OR responsetime > 2.5 } AND annotation.account = \"12345\"", 0 },
	{ "edge(\"api.example.com\", \"backend.example.com\") { fault = true }",
	  "edge(\"api.example.com\", \"backend.example.com\") { fault = true }", 0 },
	{ "service(\"api.example.com\")", "service(\"api.example.com\")", 0 },
	{ "annotation.account = \"12345\"", "annotation.account = \"12345\"", 0 },
	{ "rootcause.error.exception { message CONTAINS \"not authorized\" }",
	  "rootcause.error.exception { message CONTAINS \"not authorized\" }", 0 },
	/* The seed's examples. */
	{ "service(\"my-api\") AND http.url CONTAINS \"/orders\"",
	  "service(\"my-api\") AND http.url CONTAINS \"/orders\"", 0 },
	{ "annotation.user_id = \"12345\"", "annotation.user_id = \"12345\"", 0 },
	{ "error = true OR fault = true", "error = true OR fault = true", 0 },
	/* Precedence, parentheses, escapes, numbers. */
	{ "(ok OR error) AND !(fault OR throttle) OR responsetime < 1e-3",
	  "(ok OR error) AND !(fault OR throttle) OR responsetime < 0.001", 0 },
	{ "!responsetime > 5", "!(responsetime > 5)", 0 },
	{ "(ok AND (error AND fault))", "ok AND error AND fault", 0 },
	{ "((a_is_not_a_kw_ok)) ", NULL, 0 },
	{ "annotation.k = \"say \\\"hi\\\" \\\\ bye\"", "annotation.k = \"say \\\"hi\\\" \\\\ bye\"", 0 },
	{ "annotation.n = -2.50", "annotation.n = -2.5", 0 },
	{ "json = #[{\"ClientImpacting\":true}]", "rootcause.json = #[{\"ClientImpacting\":true}]", 0 },
	{ "rootcause.json = #[{\"Services\":[{\"Name\":\"caf\\u00e9\"}]}]",
	  "rootcause.json = #[{\"Services\":[{\"Name\":\"caf\xc3\xa9\"}]}]", 0 },
};

static void
test_examples(void)
{
	size_t i;

	for (i = 0; i < sizeof examples / sizeof examples[0]; i++) {
		struct filter_error err, err2;
		struct filter *f = filter_parse(examples[i].in, &err), *g;
		char *canon, *canon2;

		if (examples[i].canon == NULL) {
			ok(f == NULL, "not a keyword: %s", examples[i].in);
			filter_free(f);
			continue;
		}
		if (!ok(f != NULL, "parses: %s", examples[i].in)) {
			diag("column %d: %s", err.column, err.message);
			continue;
		}
		canon = filter_print(f);
		is_str(canon, examples[i].canon, "canonical form of: %s", examples[i].in);
		is_int(f->nwarnings, examples[i].warnings, "warnings for: %s", examples[i].in);
		g = filter_parse(canon, &err2);
		ok(g != NULL && filter_node_equal(f->root, g->root) && g->nwarnings == 0,
		    "canonical form parses to the same AST: %s", canon);
		canon2 = g != NULL ? filter_print(g) : NULL;
		is_str(canon2, canon, "canonical form prints unchanged");
		free(canon);
		free(canon2);
		filter_free(f);
		filter_free(g);
	}
}

static int
same_ast(const char *a, const char *b)
{
	struct filter *fa = filter_parse(a, NULL), *fb = filter_parse(b, NULL);
	int r = fa != NULL && fb != NULL && filter_node_equal(fa->root, fb->root);

	filter_free(fa);
	filter_free(fb);
	return r;
}

static void
test_case_and_structure(void)
{
	struct filter *f;

	ok(same_ast("RESPONSETIME > 5", "responsetime > 5"), "keywords are case-insensitive");
	ok(same_ast("ResponseTime > 5", "responsetime > 5"), "responseTime as the docs write it");
	ok(same_ast("Http.Url Contains \"x\"", "http.url CONTAINS \"x\""), "http.url, CONTAINS any case");
	ok(same_ast("ok and error or fault", "ok AND error OR fault"), "and/or in lower case");
	ok(same_ast("OK = TRUE", "ok = true"), "true in upper case");
	ok(same_ast("SERVICE(\"a\") { FAULT }", "service(\"a\") { fault }"), "service() any case");
	ok(same_ast("EDGE(\"a\", ID(NAME: \"b\"))", "edge(\"a\", id(name: \"b\"))"), "edge/id any case");
	ok(same_ast("ROOTCAUSE.FAULT.SERVICE { NAME = \"a\" }", "rootcause.fault.service { name = \"a\" }"),
	    "rootcause keywords any case");
	ok(same_ast("Annotation.key", "annotation.key"), "the annotation. prefix any case");
	ok(!same_ast("annotation.Key", "annotation.key"), "annotation keys keep their case");
	ok(!same_ast("http.url = \"A\"", "http.url = \"a\""), "string values keep their case");
	ok(same_ast("ok !partial", "ok AND !partial"), "adjacent terms: an implied AND");
	ok(same_ast("ok OR error fault", "ok OR (error AND fault)"), "AND binds tighter than OR");
	ok(same_ast("(ok OR error) AND fault", "(ok OR error) fault"), "parentheses group");
	ok(!same_ast("(ok OR error) AND fault", "ok OR error AND fault"), "and change the meaning");
	ok(same_ast("ok AND (error AND fault)", "(ok AND error) AND fault"), "AND is flat");
	f = filter_parse("ok OR error AND fault", NULL);
	ok(f != NULL && f->root->type == FN_OR && f->root->nchildren == 2 &&
	    f->root->children[1]->type == FN_AND, "ok OR error AND fault: OR(ok, AND(error, fault))");
	ok(f != NULL && f->root->column == 1 && f->root->children[1]->column == 7,
	    "nodes know their column");
	filter_free(f);
	f = filter_parse("annotation.x = \"\xc3\xa9t\xc3\xa9\" AND bogus", NULL);
	ok(f == NULL, "error after a multibyte string");
	{
		struct filter_error e;

		filter_free(filter_parse("annotation.x = \"\xc3\xa9t\xc3\xa9\" AND bogus", &e));
		is_int(e.column, 26, "columns count characters, not bytes");
	}
}

/* Malformed expressions: the column to underline and part of the message. */
static const struct {
	const char	*in;
	int		 column;
	const char	*msg;
} malformed[] = {
	{ "", 1, "empty expression" },
	{ "   ", 4, "empty expression" },
	{ "resposetime > 5", 1, "did you mean 'responsetime'" },
	{ "responsetime >", 15, "expected a number after >" },
	{ "responsetime", 13, "needs a comparison" },
	{ "responsetime 5", 14, "needs a comparison" },
	{ "http.url CONTAINS", 18, "expected a string after CONTAINS" },
	{ "http.url CONTAINS 5", 19, "expected a string after CONTAINS" },
	{ "http.url > \"x\"", 10, "does not apply to http.url" },
	{ "ok = 1", 6, "expected true or false" },
	{ "ok > true", 4, "does not apply to ok" },
	{ "(ok", 4, "expected ')' to close the '(' at column 1" },
	{ "ok)", 3, "no '(' to close" },
	{ "ok AND", 7, "expected a condition after AND" },
	{ "AND ok", 1, "a condition must come first" },
	{ "ok OR", 6, "expected a condition after OR" },
	{ "ok AND OR fault", 8, "expected a condition after AND" },
	{ "service(\"x\"", 12, "expected ')'" },
	{ "service(x)", 9, "expected a service name" },
	{ "service(\"x\") { }", 14, "empty braces" },
	{ "service(\"a\",)", 12, "takes one service" },
	{ "edge(\"a\")", 9, "edge() takes two services" },
	{ "edge(\"a\", \"b\", \"c\")", 14, "not more" },
	{ "edge()", 6, "edge() takes two services" },
	{ "id(name: \"x\")", 1, "use it inside service() or edge()" },
	{ "service(id(foo: \"x\"))", 12, "unknown id() field" },
	{ "service(id())", 9, "at least one of" },
	{ "service(id(name \"x\"))", 17, "expected ':'" },
	{ "service(id(name: x))", 18, "expected a string after ':'" },
	{ "service(id(name: \"a\", name: \"b\"))", 23, "given twice" },
	{ "annotation.", 12, "expected an annotation key" },
	{ "annotation.x >", 15, "expected a number after >" },
	{ "annotation.x > \"a\"", 16, "compares numbers" },
	{ "annotation.x CONTAINS 5", 23, "expected a string after CONTAINS" },
	{ "annotation.x.y = 1", 13, "letters, digits and '_'" },
	{ "annotation[user] = \"x\"", 1, "annotation.KEY" },
	{ "anotation.user_id = \"x\"", 1, "did you mean 'annotation.user_id'" },
	{ "group.name", 11, "expected = or !=" },
	{ "group.name = 5", 14, "as a string" },
	{ "group.arn > \"x\"", 11, "expected = or !=" },
	{ "rootcause.fault.service", 24, "expected '{'" },
	{ "rootcause.fault.entity { }", 24, "empty braces" },
	{ "rootcause.falt.service { ok }", 1, "did you mean 'rootcause.fault.service'" },
	{ "rootcause.json = [1]", 18, "expected # before the JSON array" },
	{ "rootcause.json = #{}", 19, "expected a JSON array" },
	{ "rootcause.json = #[{\"a\":", 25, "expected a JSON value" },
	{ "rootcause.json = #[1,", 22, "expected a JSON value" },
	{ "rootcause.json = #[\"x]", 20, "unterminated JSON string" },
	{ "rootcause.json = #[tru]", 20, "expected a JSON value" },
	{ "rootcause.json", 15, "expected = after rootcause.json" },
	{ "\"abc\"", 1, "a string must follow a keyword" },
	{ "5", 1, "a number must follow a keyword" },
	{ "'x'", 1, "double quotes" },
	{ "http.url = 'x'", 12, "double quotes" },
	{ "\"abc", 1, "unterminated string" },
	{ "user = \"abc", 8, "unterminated string" },
	{ "ok && fault", 4, "write AND" },
	{ "ok || fault", 4, "write OR" },
	{ "NOT ok", 1, "negate with !" },
	{ "ok !", 5, "expected a condition after '!'" },
	{ "responsetime > 5 5", 18, "a value must follow an operator" },
	{ "http.status = 2.5.1", 15, "malformed number" },
	{ "responsetime >> 5", 15, "expected a number after >" },
	{ "responsetime > -", 16, "malformed number" },
	{ "responsetime > 1e999", 16, "out of range" },
	{ "http.url CONTAINS \"x\" \"y\"", 23, "a value must follow an operator" },
	{ "true", 1, "a condition must come first" },
	{ "=", 1, "a comparison starts with a keyword" },
	{ "ok = maybe", 6, "expected true or false" },
	{ "duration < \"3\"", 12, "expected a number after <" },
	{ "http.status CONTAINS 5", 13, "does not apply to http.status" },
	{ "{ok}", 1, "braces follow service()" },
	{ "()", 1, "empty parentheses" },
	{ "htp.url = \"x\"", 1, "did you mean 'http.url'" },
	{ "ok == true", 4, "'==' is written '='" },
	{ "responsetime <> 5", 14, "'<>' is written '!='" },
	{ "service(\"a\") { ok ) }", 19, "expected '}' to close the '{' at column 14" },
	{ "ok ; fault", 4, "unexpected character ';'" },
	{ "ok \xc3\xa9", 4, "outside a string" },
	{ "ok \x01", 4, "control character" },
	{ "foo", 1, "unknown keyword 'foo'" },
	{ "annotation.k = AND", 16, "expected a string, a number, true or false" },
};

static void
test_malformed(void)
{
	size_t i;

	ok(sizeof malformed / sizeof malformed[0] >= 40, "at least 40 malformed expressions (%zu)",
	    sizeof malformed / sizeof malformed[0]);
	for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		struct filter_error err;
		struct filter *f = filter_parse(malformed[i].in, &err);

		if (!ok(f == NULL, "refused: %s", malformed[i].in)) {
			filter_free(f);
			continue;
		}
		is_int(err.column, malformed[i].column, "column of the error in: %s", malformed[i].in);
		if (!ok(strstr(err.message, malformed[i].msg) != NULL, "message for %s", malformed[i].in))
			diag("got \"%s\", want it to contain \"%s\"", err.message, malformed[i].msg);
	}
}

static void
test_suggestions(void)
{
	is_int(filter_edit_distance("resposetime", "responsetime"), 1, "edit distance: a dropped letter");
	is_int(filter_edit_distance("repsonsetime", "responsetime"), 1, "edit distance: a transposition");
	is_int(filter_edit_distance("abc", "abc"), 0, "edit distance: equal");
	is_int(filter_edit_distance("", "abc"), 3, "edit distance: from nothing");
	is_int(filter_edit_distance("FAULT", "fault"), 0, "edit distance ignores case");
	{
		struct filter_error err;

		filter_free(filter_parse("responsetiem > 1 AND faul", &err));
		ok(strstr(err.message, "did you mean 'responsetime'") != NULL, "suggestion for a swap");
		filter_free(filter_parse("ok AND faul", &err));
		ok(strstr(err.message, "did you mean 'fault'") != NULL && err.column == 8,
		    "suggestion for the second term, at its column");
		filter_free(filter_parse("zzzzzzzz", &err));
		ok(strstr(err.message, "did you mean") == NULL, "no suggestion for something far");
	}
}

/* ---------------------------------------------------------------- groups */

static char reported[4096];

static void
collect(void *ctx, const char *msg)
{
	size_t n = strlen(reported);

	snprintf(reported + n, sizeof reported - n, "%s\n", msg);
}

static void
test_groups(void)
{
	char path[] = "/tmp/xraytop-test-config.XXXXXX";
	struct config *cfg;
	struct filter_groups groups;
	struct filter_error err;
	struct filter *f;
	char *canon;
	int fd, problems;
	FILE *fp;

	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs("# groups for the tests\n"
	    "theme = dark\n"
	    "[ui]\n"
	    "refresh = 2s\n"
	    "[group slow]\n"
	    "filter = responsetime > 5\n"
	    "\n"
	    "[group failing]\n"
	    "filter = error = true OR\n"
	    "    fault = true\n"
	    "arn = arn:aws:xray:us-east-1:123456789012:group/failing/ABC\n"
	    "[group slow-acme]\n"
	    "filter = group.name = \"slow\" AND annotation.tenant = \"acme\"\n"
	    "[group loop]\n"
	    "filter = ok OR group.name = \"loop2\"\n"
	    "[group loop2]\n"
	    "filter = group.name = \"loop\"\n"
	    "[group broken]\n"
	    "filter = responsetime >\n"
	    "[group empty]\n"
	    "[group bad name!]\n"
	    "filter = ok\n"
	    "[group slow]\n"
	    "filter = ok\n"
	    "[group failing]\n"
	    "colour = red\n"
	    "not a key value line\n", fp);
	fclose(fp);

	problems = config_load(path, &cfg, collect, NULL);
	is_int(problems, 7, "config problems: broken, empty, bad name, slow and failing twice, "
	    "colour, junk line");
	ok(strstr(reported, ":18: group 'broken': column 15 of its filter: expected a number") != NULL,
	    "a group's bad filter: file, line and column");
	ok(strstr(reported, ":20: group 'empty' has no filter") != NULL, "a group without a filter");
	ok(strstr(reported, ":21: bad group name 'bad name!'") != NULL, "a bad group name");
	ok(strstr(reported, ":23: group 'slow' is defined twice (first at line 5)") != NULL,
	    "a group defined twice");
	ok(strstr(reported, ":26: unknown key 'colour' in [group failing]") != NULL, "an unknown key");
	ok(strstr(reported, ":27: expected KEY = VALUE") != NULL, "a line that is nothing");
	is_str(cfg->path, path, "config path kept");
	is_str(config_get(cfg, "", "theme"), "dark", "a key before any section");
	is_str(config_get(cfg, "ui", "refresh"), "2s", "a key of another section");
	ok(config_group(cfg, "slow") != NULL, "group slow");
	is_str(config_group(cfg, "failing") != NULL ? config_group(cfg, "failing")->filter : NULL,
	    "error = true OR fault = true", "a continuation line joins the filter");
	ok(config_group_arn(cfg, "arn:aws:xray:us-east-1:123456789012:group/failing/ABC") != NULL,
	    "group found by ARN");
	ok(config_group(cfg, "nope") == NULL, "no such group");

	config_filter_groups(cfg, &groups);
	f = filter_parse("group.name = \"slow-acme\" AND user = \"alice\"", NULL);
	ok(f != NULL && filter_bind(f, &groups, &err) == 0, "group.name resolves through groups");
	canon = f != NULL ? filter_print(f) : NULL;
	is_str(canon, "group.name = \"slow-acme\" AND user = \"alice\"", "printing keeps the reference");
	ok(f != NULL && f->root->children[0]->resolved != NULL &&
	    f->root->children[0]->resolved->children[0]->resolved != NULL,
	    "groups inside groups are resolved");
	free(canon);
	filter_free(f);

	f = filter_parse("group.arn = \"arn:aws:xray:us-east-1:123456789012:group/failing/ABC\"", NULL);
	ok(f != NULL && filter_bind(f, &groups, &err) == 0 && f->root->resolved != NULL &&
	    f->root->resolved->type == FN_OR, "group.arn resolves");
	filter_free(f);

	f = filter_parse("fault AND group.name = \"loop\"", NULL);
	ok(f != NULL && filter_bind(f, &groups, &err) != 0 && strstr(err.message, "refers to itself"),
	    "a group that refers to itself");
	is_int(err.column, 11, "its column");
	filter_free(f);

	f = filter_parse("group.name = \"missing\"", NULL);
	ok(f != NULL && filter_bind(f, &groups, &err) != 0 && strstr(err.message, "unknown group"),
	    "an unknown group");
	filter_free(f);
	f = filter_parse("group.name = \"broken\"", NULL);
	ok(f != NULL && filter_bind(f, &groups, &err) != 0, "a group whose filter is broken is not usable");
	filter_free(f);
	config_free(cfg);

	/* Where the file is looked for. */
	setenv("XRAYTOP_CONFIG", path, 1);
	{
		int explicit = 0;
		char *p = config_path(&explicit);

		is_str(p, path, "$XRAYTOP_CONFIG names the file");
		ok(explicit, "and it is explicit");
		free(p);
	}
	unsetenv("XRAYTOP_CONFIG");
	setenv("XDG_CONFIG_HOME", "/nonexistent-xdg", 1);
	{
		char *p = config_path(NULL);

		is_str(p, "/nonexistent-xdg/xraytop/config", "$XDG_CONFIG_HOME/xraytop/config");
		free(p);
		problems = config_load(NULL, &cfg, NULL, NULL);
		is_int(problems, 0, "a missing default file is no error");
		is_int(cfg->ngroups, 0, "and gives no groups");
		config_free(cfg);
	}
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/nonexistent-home", 1);
	{
		char *p = config_path(NULL);

		is_str(p, "/nonexistent-home/.config/xraytop/config", "~/.config/xraytop/config");
		free(p);
	}
	problems = config_load("/nonexistent-dir/config", &cfg, collect, NULL);
	is_int(problems, 1, "an explicit file that is missing is an error");
	config_free(cfg);
	unlink(path);
}

/* ---------------------------------------------------------------- evaluation */

#define TID "1-5f000000-000000000000000000000001"

/* Trace A, worked out by hand: web (root, EC2, POST /orders/1 -> 502, fault,
 * 0.0-0.5 s) calls api (remote subsegment 0.1-0.45, fault, 500) and
 * DynamoDB table orders (aws subsegment 0.01-0.05, ok).  api (ECS, 0.11-0.44,
 * fault, KeyError) has a local subsegment lookup (0.2-0.43, fault, KeyError,
 * annotation slow = false).  An independent subsegment "audit" (0.3-0.31)
 * of web arrives on its own, with annotation audited = true. */
static const char *const trace_a[] = {
	"{\"trace_id\":\"" TID "\",\"id\":\"a000000000000001\","
	"\"name\":\"web\",\"origin\":\"AWS::EC2::Instance\",\"start_time\":1600000000.0,"
	"\"end_time\":1600000000.5,\"fault\":true,\"user\":\"alice\","
	"\"http\":{\"request\":{\"method\":\"POST\",\"url\":\"http://web/orders/1\","
	"\"user_agent\":\"curl/8\",\"client_ip\":\"10.0.0.1\"},\"response\":{\"status\":502}},"
	"\"annotations\":{\"tenant\":\"acme\",\"items\":3,\"premium\":true},"
	"\"aws\":{\"account_id\":\"123456789012\",\"ec2\":{\"instance_id\":\"i-1\","
	"\"availability_zone\":\"us-east-1a\"}},"
	"\"subsegments\":[{\"id\":\"b000000000000001\",\"name\":\"api\",\"namespace\":\"remote\","
	"\"start_time\":1600000000.1,\"end_time\":1600000000.45,\"fault\":true,"
	"\"http\":{\"request\":{\"method\":\"GET\",\"url\":\"http://api/x\"},\"response\":{\"status\":500}}},"
	"{\"id\":\"b000000000000002\",\"name\":\"DynamoDB\",\"namespace\":\"aws\","
	"\"start_time\":1600000000.01,\"end_time\":1600000000.05,"
	"\"aws\":{\"operation\":\"GetItem\",\"table_name\":\"orders\"},\"http\":{\"response\":{\"status\":200}}}]}",
	"{\"trace_id\":\"" TID "\",\"id\":\"c000000000000001\","
	"\"name\":\"api\",\"origin\":\"AWS::ECS::Container\",\"parent_id\":\"b000000000000001\","
	"\"start_time\":1600000000.11,\"end_time\":1600000000.44,\"fault\":true,"
	"\"http\":{\"response\":{\"status\":500}},"
	"\"cause\":{\"exceptions\":[{\"id\":\"e000000000000001\",\"type\":\"KeyError\","
	"\"message\":\"no such order\",\"remote\":true}]},"
	"\"subsegments\":[{\"id\":\"d000000000000001\",\"name\":\"lookup\",\"start_time\":1600000000.2,"
	"\"end_time\":1600000000.43,\"fault\":true,\"annotations\":{\"slow\":false},"
	"\"cause\":{\"exceptions\":[{\"id\":\"e000000000000002\",\"type\":\"KeyError\","
	"\"message\":\"no such order 1\"}]}}]}",
	"{\"trace_id\":\"" TID "\",\"id\":\"f000000000000001\",\"type\":\"subsegment\","
	"\"parent_id\":\"a000000000000001\",\"name\":\"audit\",\"start_time\":1600000000.3,"
	"\"end_time\":1600000000.31,\"annotations\":{\"audited\":true}}",
};

/* Trace B: a 404 at the root (error), whose call to the Lambda function
 * "fn" throttled: web2 -> aws Lambda subsegment (error, throttle) -> fn
 * (AWS::Lambda) -> fn (AWS::Lambda::Function, error).  Still in progress:
 * web2's own document has no end_time yet (a newer copy never came). */
static const char *const trace_b[] = {
	"{\"trace_id\":\"1-5f000000-000000000000000000000002\",\"id\":\"a000000000000002\","
	"\"name\":\"web2\",\"start_time\":1600000001.0,\"in_progress\":true,\"error\":true,"
	"\"http\":{\"request\":{\"method\":\"GET\",\"url\":\"http://web2/x\"},\"response\":{\"status\":404}},"
	"\"subsegments\":[{\"id\":\"b000000000000003\",\"name\":\"Lambda\",\"namespace\":\"aws\","
	"\"start_time\":1600000001.1,\"end_time\":1600000001.2,\"error\":true,\"throttle\":true,"
	"\"aws\":{\"operation\":\"Invoke\",\"function_name\":\"fn\"}}]}",
	"{\"trace_id\":\"1-5f000000-000000000000000000000002\",\"id\":\"c000000000000002\","
	"\"name\":\"fn\",\"origin\":\"AWS::Lambda\",\"parent_id\":\"b000000000000003\","
	"\"start_time\":1600000001.11,\"end_time\":1600000001.19,\"error\":true}",
	"{\"trace_id\":\"1-5f000000-000000000000000000000002\",\"id\":\"c000000000000003\","
	"\"name\":\"fn\",\"origin\":\"AWS::Lambda::Function\",\"parent_id\":\"c000000000000002\","
	"\"start_time\":1600000001.12,\"end_time\":1600000001.18,\"error\":true,"
	"\"cause\":{\"exceptions\":[{\"type\":\"NotAuthorized\",\"message\":\"user is not authorized\"}]}}",
};

static struct store *
build(const char *const *docs, size_t n)
{
	struct store *st = store_new();
	struct arena *a = arena_new(0);
	char err[200];
	size_t i;

	for (i = 0; i < n; i++) {
		struct segment *s = json_decode_segment(docs[i], strlen(docs[i]), a, 0, err, sizeof err, NULL);

		if (!ok(s != NULL, "hand-built document %zu decodes", i))
			diag("%s", err);
		else
			store_add(st, s);
	}
	arena_free(a);
	return st;
}

static const struct {
	const char	*expr;
	int		 a;      /* expected on trace A */
	int		 b;      /* expected on trace B */
} evals[] = {
	/* The root request. */
	{ "responsetime > 0.4", 1, 0 },
	{ "responsetime > 0.5", 0, 0 },
	{ "responsetime >= 0.5", 1, 0 },
	{ "responsetime = 0.5", 1, 0 },
	{ "responsetime < 1", 1, 0 },                   /* B's root is in progress: no value */
	{ "duration >= 0.5 AND duration <= 0.5", 1, 0 },
	{ "duration > 0.1", 1, 1 },                     /* B: fn ends 1.19, web2 starts 1.0 */
	{ "duration < 0.3", 0, 1 },
	{ "ok", 0, 0 },
	{ "!ok", 1, 1 },
	{ "ok = false", 1, 1 },
	{ "fault", 1, 0 },
	{ "fault = true", 1, 0 },
	{ "fault != true", 0, 1 },
	{ "error", 0, 1 },
	{ "throttle", 0, 0 },                           /* the root did not throttle */
	{ "error = true OR fault = true", 1, 1 },
	{ "partial", 0, 1 },
	{ "!partial", 1, 0 },
	{ "inferred", 0, 0 },
	{ "root", 1, 1 },
	{ "first OR last OR remote", 0, 0 },
	{ "http.status = 502", 1, 0 },
	{ "http.status != 200", 1, 1 },
	{ "http.status >= 400 AND http.status < 500", 0, 1 },
	{ "http.url CONTAINS \"/orders\"", 1, 0 },
	{ "http.url BEGINSWITH \"http://web/\"", 1, 0 },
	{ "http.url ENDSWITH \"/x\"", 0, 1 },
	{ "http.url = \"http://web/orders/1\"", 1, 0 },
	{ "http.url", 1, 1 },
	{ "http.url AND responsetime > 0.2", 1, 0 },
	{ "http.method = \"POST\"", 1, 0 },
	{ "http.useragent CONTAINS \"curl\"", 1, 0 },
	{ "http.clientip = \"10.0.0.1\"", 1, 0 },
	{ "http.clientip", 1, 0 },
	{ "user = \"alice\"", 1, 0 },
	{ "user CONTAINS \"\"", 1, 0 },
	{ "user != \"bob\"", 1, 0 },
	{ "name = \"web\" AND type = \"AWS::EC2::Instance\"", 1, 0 },
	{ "message CONTAINS \"no such\"", 1, 0 },
	{ "message ENDSWITH \"authorized\"", 0, 1 },
	{ "availabilityzone = \"us-east-1a\"", 1, 0 },
	{ "instance.id = \"i-1\"", 1, 0 },
	{ "account.id = \"123456789012\"", 1, 0 },
	{ "resource.arn", 0, 0 },
	/* Annotations: every segment and subsegment. */
	{ "annotation.tenant = \"acme\"", 1, 0 },
	{ "annotation.tenant = \"Acme\"", 0, 0 },
	{ "annotation.tenant CONTAINS \"cm\"", 1, 0 },
	{ "annotation.tenant != \"acme\"", 0, 0 },
	{ "annotation.items > 2", 1, 0 },
	{ "annotation.items = 3", 1, 0 },
	{ "annotation.items = \"3\"", 0, 0 },
	{ "annotation.items != 3", 0, 0 },
	{ "annotation.premium = true", 1, 0 },
	{ "annotation.premium = 1", 0, 0 },
	{ "annotation.slow = false", 1, 0 },            /* nested in api's document */
	{ "annotation.audited", 1, 0 },                 /* on the independent subsegment */
	{ "annotation.missing", 0, 0 },
	{ "!annotation.missing", 1, 1 },
	/* Services: segments and inferred nodes. */
	{ "service(\"api\")", 1, 0 },
	{ "service(\"api\") { fault }", 1, 0 },
	{ "service(\"api\") { root }", 0, 0 },
	{ "service(\"web\") { root = true AND fault = true }", 1, 0 },
	{ "service(\"orders\")", 1, 0 },
	{ "service(\"orders\") { fault }", 0, 0 },
	{ "service(\"orders\") { ok AND http.status = 200 }", 1, 0 },
	{ "service(\"DynamoDB\")", 0, 0 },              /* the table is the node */
	{ "service(id(type: \"AWS::DynamoDB::Table\"))", 1, 0 },
	{ "service(id(name: \"api\", type: \"AWS::ECS::Container\"))", 1, 0 },
	{ "service(id(name: \"api\", type: \"AWS::EC2::Instance\"))", 0, 0 },
	{ "service(id(account.id: \"123456789012\"))", 1, 0 },
	{ "service(\"nope\")", 0, 0 },
	{ "!service(\"nope\")", 1, 1 },
	{ "service() { fault }", 1, 0 },
	{ "service() { error }", 0, 1 },
	{ "service() { inferred }", 1, 0 },             /* orders; B's Lambda call has fn */
	{ "service(\"fn\") { error }", 0, 1 },
	{ "service(id(name: \"fn\", type: \"AWS::Lambda::Function\")) { error }", 0, 1 },
	{ "service(id(type: \"AWS::Lambda::Function\")) { error }", 0, 1 },
	{ "service(\"api\") { responsetime > 0.3 }", 1, 0 },
	{ "service(\"api\") { responsetime > 0.4 }", 0, 0 },
	{ "service(\"client\")", 0, 0 },
	{ "service(\"web\") { annotation.tenant = \"acme\" }", 1, 0 },
	{ "service(\"api\") { annotation.tenant = \"acme\" }", 0, 0 },
	/* Edges: the caller's view. */
	{ "edge(\"web\", \"api\")", 1, 0 },
	{ "edge(\"web\", \"api\") { fault }", 1, 0 },
	{ "edge(\"web\", \"api\") { responsetime > 0.34 }", 1, 0 },   /* the call: 0.35 s */
	{ "edge(\"api\", \"web\")", 0, 0 },
	{ "edge(\"client\", \"web\")", 1, 0 },
	{ "edge(\"client\", \"web\") { fault }", 1, 0 },
	{ "edge(\"web\", \"orders\")", 1, 0 },
	{ "edge(\"web\", \"orders\") { responsetime > 0.1 }", 0, 0 },
	{ "edge(\"web2\", id(type: \"AWS::Lambda\")) { throttle }", 0, 1 },
	{ "edge(id(type: \"AWS::Lambda\"), id(type: \"AWS::Lambda::Function\")) { error }", 0, 1 },
	/* Root causes.  A's fault: web -> api call -> api -> lookup (the
	 * culprit): services web [web, api] and api [api, lookup];
	 * exceptions: api's KeyError (remote), lookup's KeyError.  A's
	 * response time: 0.5 s at web, the api call 0.35 (over half), api
	 * 0.33, lookup 0.23: the same path, lookup's coverage 0.46.  B's
	 * error: the culprit is the Lambda::Function fn, through the Lambda
	 * call and fn (AWS::Lambda): services web2 [web2, Lambda],
	 * fn [fn], fn [fn]. */
	{ "rootcause.fault.service { name = \"api\" }", 1, 0 },
	{ "rootcause.fault.service { last AND name = \"api\" }", 1, 0 },
	{ "rootcause.fault.service { first AND name = \"web\" }", 1, 0 },
	{ "rootcause.fault.service { index = 1 }", 1, 0 },
	{ "rootcause.fault.service { index > 1 }", 0, 0 },
	{ "rootcause.fault.service { inferred }", 0, 0 },
	{ "rootcause.fault.service { type = \"AWS::ECS::Container\" }", 1, 0 },
	{ "rootcause.fault.service { account.id = \"123456789012\" }", 1, 0 },
	{ "rootcause.fault.entity { last AND name = \"lookup\" }", 1, 0 },
	{ "rootcause.fault.entity { first AND name = \"web\" }", 1, 0 },
	{ "rootcause.fault.entity { index = 3 }", 1, 0 },
	{ "rootcause.fault.entity { remote AND name = \"api\" }", 1, 0 },
	{ "rootcause.fault.entity { last AND remote }", 0, 0 },
	{ "rootcause.fault.exception { name = \"KeyError\" AND message CONTAINS \"order\" }", 1, 0 },
	{ "rootcause.fault.exception { last AND message = \"no such order 1\" }", 1, 0 },
	{ "rootcause.fault.exception { first AND remote }", 1, 0 },
	{ "rootcause.fault.exception { last AND remote }", 0, 0 },
	{ "rootcause.error.service { name = \"web2\" }", 0, 1 },
	{ "rootcause.error.service { name = \"web\" }", 0, 0 },
	{ "rootcause.error.service { last AND type = \"AWS::Lambda::Function\" }", 0, 1 },
	{ "rootcause.error.entity { name = \"Lambda\" AND remote }", 0, 1 },
	{ "rootcause.error.exception { message CONTAINS \"not authorized\" }", 0, 1 },
	{ "rootcause.responsetime.entity { last AND name = \"lookup\" AND coverage > 0.45 AND coverage < 0.47 }", 1, 0 },
	{ "rootcause.responsetime.entity { remote AND coverage > 0.69 AND name = \"api\" }", 1, 0 },
	{ "rootcause.responsetime.service { last AND name = \"api\" }", 1, 0 },
	{ "rootcause.responsetime.service { coverage = 1 }", 1, 0 },
	{ "rootcause.responsetime.exception { name = \"KeyError\" }", 0, 0 },  /* none there */
	{ "rootcause.responsetime.entity { coverage > 0 }", 1, 0 },   /* B's root: no time */
	{ "rootcause.json = #[{\"Services\":[{\"Name\":\"web\",\"EntityPath\":[{\"Name\":\"web\"},{\"Name\":\"api\"}]},"
	  "{\"Name\":\"api\",\"EntityPath\":[{\"Name\":\"api\"},{\"Name\":\"lookup\"}]}]}]", 1, 0 },
	{ "rootcause.json = #[{\"Services\":[{\"Name\":\"web\"},{\"Name\":\"api\",\"Type\":\"AWS::ECS::Container\","
	  "\"Inferred\":false}],\"ClientImpacting\":true}]", 1, 0 },
	{ "rootcause.json = #[{\"Services\":[{\"Name\":\"web\"}]}]", 0, 0 },
	{ "rootcause.json = #[{\"Services\":[{\"Name\":\"web2\"},{\"Name\":\"fn\",\"Type\":\"AWS::Lambda\"},"
	  "{\"Name\":\"fn\",\"Names\":[\"fn\"],\"EntityPath\":[{\"Name\":\"fn\",\"Exceptions\":"
	  "[{\"Name\":\"NotAuthorized\",\"Message\":\"user is not authorized\"}]}]}]}]", 0, 1 },
	{ "rootcause.json = #[{\"Bogus\":1}]", 0, 0 },
	/* Combinations. */
	{ "service(\"api\") { fault = true OR responsetime > 2.5 } AND annotation.tenant = \"acme\"", 1, 0 },
	{ "http.url BEGINSWITH \"http://web\" AND !service(\"api\")", 0, 1 },
	{ "(ok OR error) AND !(fault OR throttle)", 0, 1 },
	{ "ok !partial duration < 3", 0, 0 },
	{ "!!fault", 1, 0 },
};

static void
test_eval(void)
{
	struct store *sa = build(trace_a, sizeof trace_a / sizeof trace_a[0]);
	struct store *sb = build(trace_b, sizeof trace_b / sizeof trace_b[0]);
	const struct trace *ta = store_trace(sa, 0), *tb = store_trace(sb, 0);
	size_t i;

	ok(ta != NULL && tb != NULL && store_ntraces(sa) == 1 && store_ntraces(sb) == 1,
	    "two hand-built traces");
	for (i = 0; i < sizeof evals / sizeof evals[0]; i++) {
		struct filter_error err;
		struct filter *f = filter_parse(evals[i].expr, &err);

		if (!ok(f != NULL && filter_bind(f, NULL, &err) == 0, "bound: %s", evals[i].expr)) {
			diag("column %d: %s", err.column, err.message);
			filter_free(f);
			continue;
		}
		is_int(filter_match(f, ta), evals[i].a, "trace A: %s", evals[i].expr);
		is_int(filter_match(f, tb), evals[i].b, "trace B: %s", evals[i].expr);
		filter_free(f);
	}
	store_free(sa);
	store_free(sb);
}

/* The root causes themselves, as the filter sees them. */
static void
test_rootcauses(void)
{
	struct store *sa = build(trace_a, sizeof trace_a / sizeof trace_a[0]);
	struct arena *a = arena_new(0);
	struct tgraph *g = tgraph_build(store_trace(sa, 0), a);
	struct root_cause *rc;
	size_t n, i;

	is_int(g->nnodes, 4, "trace A: nodes client, web, orders, api");
	is_int(g->nedges, 3, "trace A: edges client->web, web->api, web->orders");
	ok(g->root_ent >= 0 && strcmp(g->ents[g->root_ent].s->name, "web") == 0, "root web");
	n = rootcause_derive(g, RC_FAULT, a, &rc);
	is_int(n, 1, "one fault root cause");
	if (n == 1) {
		is_int(rc[0].nservices, 2, "two services on its path");
		is_str(rc[0].services[0].name, "web", "first service web");
		is_int(rc[0].services[0].npath, 2, "web's entity path: web, the api call");
		is_str(rc[0].services[1].path[1].name, "lookup", "the culprit: lookup");
		is_int(rc[0].services[1].path[1].nexceptions, 1, "its exception");
		ok(rc[0].client_impacting, "client impacting (every entity faulted)");
	}
	n = rootcause_derive(g, RC_RESPONSETIME, a, &rc);
	is_int(n, 1, "one response-time root cause");
	if (n == 1 && rc[0].nservices == 2) {
		is_dbl(rc[0].services[0].path[0].coverage, 1.0, 1e-9, "the root covers 1");
		is_dbl(rc[0].services[1].path[1].coverage, 0.46, 1e-6, "lookup covers 0.23 / 0.5");
	}
	n = rootcause_derive(g, RC_ERROR, a, &rc);
	is_int(n, 0, "no error root cause");
	for (i = 0; i < g->nnodes; i++)
		if (strcmp(g->nodes[i].name, "orders") == 0)
			ok(g->nodes[i].inferred && strcmp(g->nodes[i].type, "AWS::DynamoDB::Table") == 0,
			    "the DynamoDB call makes an inferred table node");
	arena_free(a);
	store_free(sa);
}

/* A GetTraceSummaries summary: what it holds decides, the rest is unknown. */
static void
test_summary_eval(void)
{
	struct annotation an[1];
	struct service_id svc[1];
	struct trace_summary s;
	static const struct {
		const char	*expr;
		int		 want;
	} t[] = {
		{ "fault", 1 }, { "ok", 0 }, { "responsetime > 1", 1 }, { "duration < 1", 0 },
		{ "http.status = 500", 1 }, { "annotation.tenant = \"acme\"", 1 },
		{ "service(\"web\")", 1 }, { "service(\"api\")", 0 }, { "user = \"bob\"", 1 },
		{ "service(\"web\") { fault }", -1 }, { "edge(\"a\", \"b\")", -1 },
		{ "rootcause.fault.service { name = \"a\" }", -1 }, { "fault OR edge(\"a\", \"b\")", 1 },
		{ "ok AND edge(\"a\", \"b\")", 0 }, { "!edge(\"a\", \"b\")", -1 }, { "inferred", -1 },
	};
	size_t i;

	memset(&s, 0, sizeof s);
	s.id = TID;
	s.response_time = 1.5;
	s.duration = 2;
	s.status = 500;
	s.flags = SUM_FAULT;
	s.user = "bob";
	s.root.name = "web";
	svc[0].name = "web";
	svc[0].type = "AWS::EC2::Instance";
	s.services = svc;
	s.nservices = 1;
	memset(an, 0, sizeof an);
	an[0].key = "tenant";
	an[0].type = ANNO_STRING;
	an[0].str = "acme";
	s.annotations = an;
	s.nannotations = 1;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct filter *f = filter_parse(t[i].expr, NULL);

		filter_bind(f, NULL, NULL);
		is_int(filter_match_summary(f, &s), t[i].want, "summary: %s", t[i].expr);
		filter_free(f);
	}
}

/* ---------------------------------------------------------------- prefilter */

static void
test_prefilter(void)
{
	static const struct {
		const char	*expr;
		const char	*lits;  /* literals, '|' between; NULL: no prefilter */
		int		 times;
	} t[] = {
		{ "annotation.tenant = \"acme\" AND responsetime > 0.25", "\"acme\"", 1 },
		{ "http.url CONTAINS \"/orders\"", "/orders", 0 },
		{ "http.url CONTAINS \"\xc3\xa9tat/x\"", "tat/x", 0 },
		{ "http.url CONTAINS \"ab\"", NULL, 0 },
		{ "user = \"say \\\"hi\\\"\"", "say ", 0 },
		{ "service(\"my-api\") AND http.url CONTAINS \"/orders\"", "\"my-api\"|/orders", 0 },
		{ "service(\"a\") OR service(\"b\")", "\"a\"|\"b\"", 0 },
		{ "service(\"a\") OR ok", NULL, 0 },
		{ "!service(\"a\")", NULL, 0 },
		{ "annotation.age > 29", "\"age\"", 0 },
		{ "annotation.age", "\"age\"", 0 },
		{ "responsetime > 5", "", 1 },
		{ "responsetime < 5", NULL, 0 },
		{ "duration >= 5 AND duration <= 8", "", 1 },
		{ "edge(\"client\", \"web\")", "\"web\"", 0 },
		{ "service() { fault }", NULL, 0 },
		{ "rootcause.fault.service { name = \"a\" }", NULL, 0 },
	};
	size_t i, k;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct filter *f = filter_parse(t[i].expr, NULL);
		struct prefilter *pf;
		char buf[256] = "";

		filter_bind(f, NULL, NULL);
		pf = prefilter_new(f);
		if (t[i].lits == NULL) {
			ok(pf == NULL, "no prefilter for: %s", t[i].expr);
		} else {
			for (k = 0; pf != NULL && k < prefilter_nliterals(pf); k++) {
				size_t len;
				const char *l = prefilter_literal(pf, k, &len);

				snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%.*s", k ? "|" : "",
				    (int)len, l);
			}
			is_str(pf != NULL ? buf : NULL, t[i].lits, "literals of: %s", t[i].expr);
			is_int(prefilter_uses_times(pf), t[i].times, "time bounds of: %s", t[i].expr);
		}
		prefilter_free(pf);
		filter_free(f);
	}

	/* Literal scans: escapes that could hide bytes make a document uncertain. */
	{
		struct filter *f = filter_parse("annotation.tenant = \"acme\" AND responsetime > 0.25", NULL);
		struct prefilter *pf = prefilter_new(f);
		struct pf_trace tr;
		int unc;

		is_int(prefilter_scan(pf, "{\"a\":\"acme\"}", 12, &unc), 1, "literal found");
		is_int(unc, 0, "no escape");
		is_int(prefilter_scan(pf, "{\"a\":\"\\u0061cme\"}", 17, &unc), 0, "hidden by \\u");
		is_int(unc, 1, "\\u makes it uncertain");
		prefilter_scan(pf, "{\"a\":\"x\\/y\"}", 12, &unc);
		is_int(unc, 1, "\\/ makes it uncertain");
		prefilter_scan(pf, "{\"a\":\"x\\\\ \\\" \\n\"}", 16, &unc);
		is_int(unc, 0, "\\\\ \\\" \\n do not");

		pf_trace_init(&tr);
		tr.lits = 0;
		is_int(prefilter_possible(pf, &tr, 0), 0, "no literal: ruled out");
		tr.uncertain = 1;
		is_int(prefilter_possible(pf, &tr, 0), 1, "uncertain: possible");
		tr.uncertain = 0;
		tr.lits = 1;
		pf_trace_add_times(&tr, 100.0, 100.25);
		is_int(prefilter_possible(pf, &tr, 0), 1, "literal, times unknown: possible");
		is_int(prefilter_possible(pf, &tr, 1), 0, "span 0.25 is not > 0.25: ruled out");
		pf_trace_add_times(&tr, 200.0, 200.5);
		is_int(prefilter_possible(pf, &tr, 1), 1, "a document of 0.5 s: possible");
		tr.times = 0;
		is_int(prefilter_possible(pf, &tr, 1), 1, "a document whose times are unknown: possible");
		prefilter_free(pf);
		filter_free(f);
	}

	/* Raw times: the nested ones count, every notation the SDKs write. */
	{
		const char *doc = "{\"start_time\": 1.7000000001E9, \"end_time\":1700000000.9,"
		    "\"subsegments\":[{\"start_time\":1700000000,\"end_time\":1700000001}],"
		    "\"metadata\":{\"end_time\":null,\"x\":\"start_time\"}}";
		double lo, hi;

		ok(prefilter_times(doc, strlen(doc), &lo, &hi), "times read");
		ok(lo <= 1700000000.0 && lo > 1700000000.0 - 1e-5, "smallest start (nested), %.9f", lo);
		ok(hi >= 1700000001.0 && hi < 1700000001.0 + 1e-5, "largest end (nested), %.9f", hi);
		ok(!prefilter_times("{\"start_time\":1,\"x\":\"\\u0041\"}", 29, &lo, &hi),
		    "an escape: times unknown");
		ok(prefilter_times("{\"start_time\":5}", 16, &lo, &hi) && isinf(hi) && hi < 0,
		    "no end: -inf");
	}

	/* Fast number bounds against strtod, on many numbers. */
	{
		uint64_t x = 88172645463325252ull;
		int bad = 0, n;
		char num[64], doc[200];

		for (n = 0; n < 20000; n++) {
			double v, lo, hi;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v = 1.5e9 + (double)(x % 400000000000000ull) / 1e6;
			switch (n % 4) {
			case 0: snprintf(num, sizeof num, "%.6f", v); break;
			case 1: snprintf(num, sizeof num, "%.17g", v); break;
			case 2: snprintf(num, sizeof num, "%.15E", v); break;
			default: snprintf(num, sizeof num, "%.3f", (double)(x % 100000) / 7.0); break;
			}
			v = strtod(num, NULL);
			snprintf(doc, sizeof doc, "{\"start_time\":%s,\"end_time\":%s}", num, num);
			if (!prefilter_times(doc, strlen(doc), &lo, &hi) || lo > v || hi < v ||
			    hi - lo > fabs(v) * 1e-14 + 1e-300)
				bad++;
		}
		is_int(bad, 0, "20000 numbers: lo <= strtod <= hi, and close");
	}

	/* The one-pass matcher against memmem. */
	{
		static const char alphabet[] = "\"trace_id\\u/ab:c";
		const char *needles[] = { "\"trace_id\"", "ab", "c", "\"a\"", "_id\"" };
		size_t lens[] = { 10, 2, 1, 3, 4 };
		struct pf_matcher *m = pf_matcher_new(needles, lens, 5);
		uint64_t x = 0x1234567ull;
		int bad = 0, n, level;
		char text[300];

		for (n = 0; n < 12000; n++) {
			if (n % 3000 == 0) {
				level = 3 - n / 3000;
				pf_matcher_limit(m, level);
			}
			size_t len, j, q;
			uint32_t want = 0, got;
			int esc, wantesc = 0;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			len = (size_t)(x % 290);
			for (j = 0; j < len; j++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				text[j] = alphabet[x % (sizeof alphabet - 1)];
				if (x % 97 == 0 && j + 10 <= len) {
					memcpy(text + j, "\"trace_id\"", 10);
					j += 9;
				}
			}
			for (q = 0; q < 5; q++)
				if (memmem(text, len, needles[q], lens[q]) != NULL)
					want |= 1u << q;
			for (j = 0; j + 1 < len; j++)
				if (text[j] == '\\' && (text[j + 1] == 'u' || text[j + 1] == '/'))
					wantesc = 1;
			got = pf_matcher_scan(m, text, len, 0, NULL, NULL, &esc);
			if (got != want || esc != wantesc)
				bad++;
		}
		is_int(bad, 0, "12000 random texts, each way of scanning: the matcher finds what memmem finds");
		pf_matcher_free(m);
	}
}

/* ---------------------------------------------------------------- corpus */

static const char *
shared_dir(void)
{
	static char buf[4096];
	const char *s = getenv("SHARED_DIR"), *top = getenv("top_srcdir");

	if (s != NULL && *s != '\0')
		return s;
	snprintf(buf, sizeof buf, "%s/../shared", top != NULL ? top : "..");
	return buf;
}

struct corpus {
	struct store	*st;
	struct arena	*a;
};

static void
corpus_doc(void *ctx, const struct segment *doc)
{
	store_add(((struct corpus *)ctx)->st, doc);
}

static struct store *
load_corpus(const char *scenario)
{
	struct corpus c;
	struct sink sink;
	char path[4200], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/corpus/%s/segments.jsonl", shared_dir(), scenario);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	c.st = store_new();
	c.a = arena_new(0);
	memset(&sink, 0, sizeof sink);
	sink.ctx = &c;
	sink.document = corpus_doc;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_decode(line, (size_t)n, c.a, 0, &sink, NULL);
		arena_reset(c.a);
	}
	free(line);
	fclose(f);
	arena_free(c.a);
	return c.st;
}

static size_t
count_matches(struct store *st, const char *expr)
{
	struct filter *f = filter_parse(expr, NULL);
	size_t i, n = 0;

	if (f == NULL || filter_bind(f, NULL, NULL) != 0)
		return (size_t)-1;
	for (i = 0; i < store_ntraces(st); i++)
		n += (size_t)filter_match(f, store_trace(st, i));
	filter_free(f);
	return n;
}

/* The corpus README's trace-level view and annotation counts. */
static void
test_corpus(void)
{
	static const struct {
		const char	*scenario;
		const char	*expr;
		size_t		 want;
	} t[] = {
		{ "python-mesh", "root", 45 },
		{ "python-mesh", "fault", 4 },
		{ "python-mesh", "error", 13 },
		{ "python-mesh", "throttle", 4 },
		{ "python-mesh", "ok", 28 },
		{ "python-mesh", "service(\"frontend\")", 45 },
		{ "python-mesh", "service(\"orders\")", 41 },
		{ "python-mesh", "annotation.item_count = 4", 9 },
		{ "python-mesh", "annotation.item_count >= 4", 15 },
		{ "python-mesh", "annotation.slow_path = true", 4 },
		{ "python-mesh", "annotation.slow_path = false", 33 },
		{ "python-mesh", "annotation.user_id = \"erin\"", 9 },
		{ "python-mesh", "user = \"dave\"", 7 },
		{ "python-mesh", "http.status = 429", 4 },
		{ "python-mesh", "http.status = 404", 9 },
		{ "python-mesh", "service(\"orders\") { throttle }", 4 },
		{ "python-mesh", "service(id(type: \"Database::SQL\"))", 33 },
		{ "node-gateway", "root", 36 },
		{ "node-gateway", "fault", 7 },
		{ "node-gateway", "error", 11 },
		{ "node-gateway", "throttle", 2 },
		{ "node-gateway", "service(\"gateway\")", 36 },
		{ "node-gateway", "service(\"frontend\")", 22 },
		{ "node-gateway", "annotation.tier = \"guest\"", 12 },
		{ "node-gateway", "annotation.cart_lines = 6", 3 },
		{ "node-gateway", "annotation.premium = false", 3 },
		{ "node-gateway", "annotation.sku BEGINSWITH \"XSKU\"", 2 },
		{ "node-gateway", "annotation.user_id = \"frank\"", 8 },
		{ "node-gateway", "http.status = 502", 3 },
		{ "node-gateway", "http.status = 409", 2 },
	};
	struct store *pm = load_corpus("python-mesh"), *ng = load_corpus("node-gateway");
	size_t i;

	if (!ok(pm != NULL && ng != NULL, "corpus found under %s", shared_dir()))
		return;
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		is_int(count_matches(strcmp(t[i].scenario, "python-mesh") == 0 ? pm : ng, t[i].expr),
		    t[i].want, "%s: %s", t[i].scenario, t[i].expr);
	store_free(pm);
	store_free(ng);
}

int
main(void)
{
	test_examples();
	test_case_and_structure();
	test_malformed();
	test_suggestions();
	test_groups();
	test_eval();
	test_rootcauses();
	test_summary_eval();
	test_prefilter();
	test_corpus();
	return done_testing();
}
