/* test-aws.c - the pure parts of the AWS source: SHA-1 (the SSO cache file
 * name), region names, durations and times of the command line, the
 * decoders of API pages and credential documents, groups, sampling rules
 * and time series, and trace-id times.  Expected values are worked out by
 * hand or are published test vectors (FIPS 180 for SHA-1).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xraytop/arena.h"
#include "xraytop/aws.h"
#include "xraytop/cli-aws.h"
#include "xraytop/creds.h"
#include "xraytop/groups.h"
#include "xraytop/json-in.h"
#include "xraytop/model.h"
#include "xraytop/region.h"
#include "xraytop/sampling.h"
#include "xraytop/timeseries.h"

#include "tap.h"

static void
test_sha1(void)
{
	char hex[41];
	char million[1000001];

	creds_sha1_hex("abc", hex);
	is_str(hex, "a9993e364706816aba3e25717850c26c9cd0d89d", "SHA-1 of abc (FIPS 180-2)");
	creds_sha1_hex("", hex);
	is_str(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "SHA-1 of the empty string");
	creds_sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
	is_str(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "SHA-1 of the 448-bit vector");
	memset(million, 'a', 1000000);
	million[1000000] = '\0';
	creds_sha1_hex(million, hex);
	is_str(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "SHA-1 of a million a's");
}

static void
test_region(void)
{
	ok(region_valid("us-east-1"), "us-east-1 is a region name");
	ok(region_valid("cn-northwest-1"), "cn-northwest-1 too");
	ok(!region_valid(""), "empty is not");
	ok(!region_valid("us-east-1:xray"), "a colon would break the signing scope");
	ok(!region_valid("US-EAST-1"), "upper case is not");
	ok(!region_valid("us-east-1/../x"), "a slash is not");
	ok(!region_valid("-us"), "a leading dash is not");
}

static void
test_times(void)
{
	double now = 1795536000;

	is_dbl(cli_aws_duration("15m"), 900, 0, "15m");
	is_dbl(cli_aws_duration("1h30m"), 5400, 0, "1h30m");
	is_dbl(cli_aws_duration("2d"), 172800, 0, "2d");
	is_dbl(cli_aws_duration("90s"), 90, 0, "90s");
	is_dbl(cli_aws_duration("45"), 45, 0, "bare seconds");
	is_dbl(cli_aws_duration("1w"), 604800, 0, "1w");
	ok(cli_aws_duration("1h30") < 0, "1h30 is ambiguous: refused");
	ok(cli_aws_duration("m") < 0 && cli_aws_duration("") < 0 && cli_aws_duration("-5m") < 0,
	    "no number, empty, negative: refused");
	is_dbl(cli_aws_time("now", 1, now), now, 0, "now");
	is_dbl(cli_aws_time("-1h", 1, now), now - 3600, 0, "-1h");
	is_dbl(cli_aws_time("1795530000", 1, now), 1795530000, 0, "epoch seconds");
	/* 2026-11-24T00:00:00Z = 20,781 days after 1970-01-01 */
	is_dbl(cli_aws_time("2026-11-24T00:00:00Z", 1, now), 20781.0 * 86400, 0, "ISO with Z");
	is_dbl(cli_aws_time("2026-11-24T02:30:00+02:30", 1, now), 20781.0 * 86400, 0, "ISO with an offset");
	is_dbl(cli_aws_time("2026-11-24 01:00", 1, now), 20781.0 * 86400 + 3600, 0, "plain, read as UTC");
	is_dbl(cli_aws_time("2026-11-24T01:00:30", 1, now), 20781.0 * 86400 + 3630, 0, "plain with seconds");
	setenv("TZ", "EST5", 1);
	tzset();
	is_dbl(cli_aws_time("2026-11-24 01:00", 0, now), 20781.0 * 86400 + 6 * 3600, 0,
	    "plain, read as local time (--local, TZ=EST5)");
	setenv("TZ", "UTC", 1);
	tzset();
	ok(cli_aws_time("2026-13-01 00:00", 1, now) < 0, "month 13 is refused");
	ok(cli_aws_time("yesterday", 1, now) < 0, "words are refused");
	is_dbl(aws_trace_id_time("1-5759e988-bd862e3fe1be46a994272793"), 1465510280, 0,
	    "trace id time (0x5759e988)");
	ok(aws_trace_id_time("5759e988bd862e3fe1be46a994272793") < 0, "a bare id has no time part here");
}

static void
test_page(void)
{
	struct arena *a = arena_new(0);
	struct json_page p;
	char err[200];
	const char *batch = "{\"Traces\":[{\"Id\":\"1-a\",\"Segments\":[]},{\"Id\":\"1-b\"}],"
	    "\"UnprocessedTraceIds\":[\"1-c\",7,\"1-d\"],\"NextToken\":\"tok==\"}";
	const char *sums = "{\"TraceSummaries\":[{},{},{}],\"ApproximateTime\":1795536000.5,"
	    "\"TracesProcessedCount\":42}";
	const char *e1 = "{\"__type\":\"com.amazonaws.xray#ThrottledException\",\"message\":\"Rate exceeded\"}";
	const char *e2 = "{\"Code\":\"AccessDeniedException\",\"Message\":\"no\"}";

	ok(json_decode_page(batch, strlen(batch), a, &p, err, sizeof err) == 0, "a BatchGetTraces page");
	is_int((int)p.ntraces, 2, "two traces");
	is_str(p.trace_ids[1], "1-b", "their ids");
	is_int((int)p.nunprocessed, 2, "two unprocessed ids (a number is skipped)");
	is_str(p.unprocessed[1], "1-d", "in order");
	is_str(p.next_token, "tok==", "NextToken");
	ok(json_decode_page(sums, strlen(sums), a, &p, err, sizeof err) == 0, "a GetTraceSummaries page");
	is_int((int)p.nsummaries, 3, "three summaries");
	is_int((int)p.processed, 42, "TracesProcessedCount");
	is_dbl(p.approximate_time, 1795536000.5, 0, "ApproximateTime");
	ok(p.next_token == NULL, "no NextToken on the last page");
	json_decode_page(e1, strlen(e1), a, &p, err, sizeof err);
	is_str(p.error_code, "ThrottledException", "__type: the code after '#'");
	is_str(p.message, "Rate exceeded", "message");
	json_decode_page(e2, strlen(e2), a, &p, err, sizeof err);
	is_str(p.error_code, "AccessDeniedException", "Code");
	is_str(p.message, "no", "Message");
	ok(json_decode_page("{\"Traces\":[", 11, a, &p, err, sizeof err) < 0, "a page cut short is refused");
	ok(json_decode_page("[1]", 3, a, &p, err, sizeof err) < 0, "an array is not a page");
	arena_free(a);
}

static void
test_creds_docs(void)
{
	struct json_creds c;
	char err[200];
	const char *imds = "{\"Code\":\"Success\",\"LastUpdated\":\"2026-11-24T10:00:00Z\",\"Type\":\"AWS-HMAC\","
	    "\"AccessKeyId\":\"ASIA1\",\"SecretAccessKey\":\"sec\",\"Token\":\"tok\","
	    "\"Expiration\":\"2026-11-24T16:00:00Z\"}";
	const char *sso = "{\"roleCredentials\":{\"accessKeyId\":\"ASIA2\",\"secretAccessKey\":\"s2\","
	    "\"sessionToken\":\"t2\",\"expiration\":1795536000000}}";
	const char *proc = "{\"Version\":1,\"AccessKeyId\":\"AKIA3\",\"SecretAccessKey\":\"s3\"}";
	const char *bad = "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\",\"Expiration\":\"soon\"}";

	ok(json_decode_creds(imds, strlen(imds), &c, err, sizeof err) == 0, "IMDS credentials");
	is_str(c.access_key, "ASIA1", "AccessKeyId");
	is_str(c.token, "tok", "Token");
	is_str(c.code, "Success", "Code");
	is_dbl(c.expiration, 20781.0 * 86400 + 16 * 3600, 0, "Expiration (ISO-8601)");
	ok(json_decode_creds(sso, strlen(sso), &c, err, sizeof err) == 0, "SSO role credentials");
	is_str(c.secret_key, "s2", "secretAccessKey");
	is_str(c.token, "t2", "sessionToken");
	is_dbl(c.expiration, 1795536000, 0, "expiration in epoch milliseconds");
	ok(json_decode_creds(proc, strlen(proc), &c, err, sizeof err) == 0, "credential_process output");
	is_int(c.version, 1, "Version");
	ok(!c.has_expiration && c.token[0] == '\0', "no expiration, no token");
	json_decode_creds(bad, strlen(bad), &c, err, sizeof err);
	ok(c.bad_expiration, "an Expiration that is no time is flagged");
}

static void
test_objects(void)
{
	struct arena *a = arena_new(0);
	struct xray_group *g;
	struct sampling_rule *r;
	struct sampling_stat *s;
	struct ts_point *p;
	size_t n, ns;
	char err[200];
	const char *groups = "{\"Groups\":[{\"GroupName\":\"b\",\"GroupARN\":\"arn:b\",\"FilterExpression\":\"fault\","
	    "\"InsightsConfiguration\":{\"InsightsEnabled\":true,\"NotificationsEnabled\":false}},"
	    "{\"GroupName\":\"Default\",\"GroupARN\":\"arn:d\"}]}";
	const char *rules = "{\"SamplingRuleRecords\":[{\"SamplingRule\":{\"RuleName\":\"x\",\"Priority\":20,"
	    "\"FixedRate\":0.25,\"ReservoirSize\":3,\"ServiceName\":\"*\",\"ServiceType\":\"*\",\"Host\":\"*\","
	    "\"HTTPMethod\":\"GET\",\"URLPath\":\"/a\",\"Version\":1,\"ResourceARN\":\"*\","
	    "\"Attributes\":{\"k\":\"v\"}},\"CreatedAt\":1795000000.0},"
	    "{\"SamplingRule\":{\"RuleName\":\"Default\",\"Priority\":10000,\"FixedRate\":0.05}}]}";
	const char *stats = "{\"SamplingStatisticSummaries\":[{\"RuleName\":\"x\",\"Timestamp\":10,"
	    "\"RequestCount\":5},{\"RuleName\":\"x\",\"Timestamp\":20,\"RequestCount\":7,\"SampledCount\":2}]}";
	const char *ts = "{\"TimeSeriesServiceStatistics\":[{\"Timestamp\":60,\"EdgeSummaryStatistics\":"
	    "{\"OkCount\":5,\"ErrorStatistics\":{\"ThrottleCount\":1,\"OtherCount\":2,\"TotalCount\":3},"
	    "\"FaultStatistics\":{\"TotalCount\":1},\"TotalCount\":9,\"TotalResponseTime\":1.5},"
	    "\"ResponseTimeHistogram\":[{\"Value\":0.1,\"Count\":9}]}]}";

	ok(json_decode_groups(groups, strlen(groups), a, &g, &n, err, sizeof err) == 0, "GetGroups");
	is_int((int)n, 2, "two groups");
	qsort(g, n, sizeof *g, group_cmp);
	is_str(g[0].name, "Default", "Default sorts first");
	ok(g[0].filter == NULL && g[0].insights == -1, "Default has no filter, insights unknown");
	ok(g[1].insights == 1 && g[1].notifications == 0, "insights flags");
	ok(json_decode_sampling_rules(rules, strlen(rules), a, &r, &n, err, sizeof err) == 0, "GetSamplingRules");
	is_int((int)n, 2, "two rules");
	ok(json_decode_sampling_stats(stats, strlen(stats), a, &s, &ns, err, sizeof err) == 0,
	    "GetSamplingStatisticSummaries");
	sampling_join(r, n, s, ns);
	qsort(r, n, sizeof *r, sampling_rule_cmp);
	is_str(r[0].name, "x", "priority 20 before 10000");
	ok(r[0].stat != NULL && r[0].stat->requests == 7 && r[0].stat->sampled == 2,
	    "the latest statistics window is joined");
	ok(r[1].stat == NULL, "a rule without statistics has none");
	is_int((int)r[0].nattributes, 1, "attributes");
	is_str(r[1].host, "", "an absent required member is empty");
	ok(json_decode_timeseries(ts, strlen(ts), a, &p, &n, err, sizeof err) == 0, "time series");
	ok(n == 1 && p[0].edge.present && !p[0].service.present, "edge statistics only");
	ok(p[0].edge.error == 3 && p[0].edge.throttle == 1 && p[0].edge.fault == 1 && p[0].edge.total == 9,
	    "counts as the API gives them");
	is_int((int)p[0].nhistogram, 1, "histogram");
	arena_free(a);
}

int
main(void)
{
	test_sha1();
	test_region();
	test_times();
	test_page();
	test_creds_docs();
	test_objects();
	return done_testing();
}
