/* sampling.h - sampling rules and their statistics (model layer).
 *
 * Decoded from GetSamplingRules (SamplingRuleRecords) and
 * GetSamplingStatisticSummaries output (json-in.h).  A rule's statistics
 * are the latest 10-second window the service reported for it, joined by
 * rule name (sampling_join).  Strings live in the decoder's arena.
 */
#ifndef XRAYTOP_SAMPLING_H
#define XRAYTOP_SAMPLING_H

#include <stddef.h>

struct field;

/* One 10-second window of a rule's statistics. */
struct sampling_stat {
	const char	*rule_name;
	double		 timestamp;         /* epoch seconds; 0 when absent */
	long long	 requests;          /* RequestCount */
	long long	 sampled;           /* SampledCount */
	long long	 borrowed;          /* BorrowCount */
};

struct sampling_rule {
	const char	*name;              /* RuleName */
	const char	*arn;               /* RuleARN */
	const char	*resource_arn;
	int		 priority;          /* 1-9999; Default has 10000 */
	double		 fixed_rate;        /* 0-1 */
	long long	 reservoir;         /* ReservoirSize, requests per second */
	const char	*service_name;
	const char	*service_type;
	const char	*host;
	const char	*http_method;
	const char	*url_path;
	int		 version;
	struct field	*attributes;        /* Attributes map, in order */
	size_t		 nattributes;
	double		 boost_max_rate;    /* SamplingRateBoost.MaxRate, -1 absent */
	int		 boost_cooldown;    /* SamplingRateBoost.CooldownWindowMinutes, -1 absent */
	double		 created;           /* CreatedAt, 0 absent */
	double		 modified;          /* ModifiedAt, 0 absent */
	const struct sampling_stat *stat;   /* latest statistics, NULL when none */
};

/* qsort comparator: by priority, then name (the order the SDKs apply rules). */
int sampling_rule_cmp(const void *a, const void *b);
/* Point each rule at the latest of the statistics with its name. */
void sampling_join(struct sampling_rule *rules, size_t nrules,
    const struct sampling_stat *stats, size_t nstats);

#endif
