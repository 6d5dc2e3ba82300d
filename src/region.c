/* region.c - the AWS region and the X-Ray endpoint, found as the AWS SDKs do. */
#include "config.h"

#include "xraytop/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xraytop/creds.h"
#include "xraytop/json-in.h"
#include "xraytop/log.h"

int
region_valid(const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0' || (n = strlen(s)) > 32)
		return 0;
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return 0;
	return s[0] != '-' && s[n - 1] != '-';
}

/* Take a candidate region from source name; 1 when used, -1 when invalid. */
static int
take(const char *value, const char *name, char *out, size_t outlen, char *source, size_t srclen,
    char *err, size_t errlen)
{
	if (value == NULL || *value == '\0')
		return 0;
	if (!region_valid(value)) {
		snprintf(err, errlen, "%s gives '%.40s', which is not a region name (like us-east-1)",
		    name, value);
		return -1;
	}
	snprintf(out, outlen, "%s", value);
	snprintf(source, srclen, "%s", name);
	return 1;
}

int
region_resolve(const char *given, const char *profile, char *out, size_t outlen,
    char *source, size_t srclen, char *err, size_t errlen)
{
	char buf[128], name[160], doc[8192], why[300];
	const char *p = creds_profile(profile);
	struct json_creds d;
	int rc;

	if ((rc = take(given, "--region", out, outlen, source, srclen, err, errlen)) != 0)
		return rc > 0 ? 0 : -1;
	if ((rc = take(getenv("AWS_REGION"), "AWS_REGION", out, outlen, source, srclen, err, errlen)) != 0)
		return rc > 0 ? 0 : -1;
	if ((rc = take(getenv("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION", out, outlen, source, srclen,
	    err, errlen)) != 0)
		return rc > 0 ? 0 : -1;
	snprintf(name, sizeof name, "profile %s", p);
	if (creds_config_get(p, "region", buf, sizeof buf) == 1 &&
	    (rc = take(buf, name, out, outlen, source, srclen, err, errlen)) != 0)
		return rc > 0 ? 0 : -1;
	if (creds_imds_get("/latest/dynamic/instance-identity/document", doc, sizeof doc,
	    why, sizeof why) == 0) {
		if (json_decode_creds(doc, strlen(doc), &d, why, sizeof why) == 0 &&
		    (rc = take(d.region, "EC2 instance identity document", out, outlen, source, srclen,
		    err, errlen)) != 0)
			return rc > 0 ? 0 : -1;
		snprintf(why, sizeof why, "the instance identity document has no region");
	}
	snprintf(err, errlen, "no AWS region: give --region, set AWS_REGION or AWS_DEFAULT_REGION, "
	    "or a region in profile %s (aws configure set region us-east-1); EC2 instance metadata: %s",
	    p, why);
	return -1;
}

int
region_endpoint(const char *given, const char *profile, const char *region,
    char *out, size_t outlen, char *err, size_t errlen)
{
	const char *v = given;
	char buf[1024];
	size_t n;

	if (v == NULL || *v == '\0')
		v = getenv("AWS_ENDPOINT_URL_XRAY");
	if (v == NULL || *v == '\0')
		v = getenv("AWS_ENDPOINT_URL");
	if ((v == NULL || *v == '\0') && creds_config_get(creds_profile(profile), "endpoint_url",
	    buf, sizeof buf) == 1)
		v = buf;
	if (v == NULL || *v == '\0') {
		snprintf(out, outlen, "https://xray.%s.amazonaws.com%s", region,
		    strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
		return 0;
	}
	if (strncasecmp(v, "https://", 8) != 0 && strncasecmp(v, "http://", 7) != 0) {
		snprintf(err, errlen, "endpoint '%.200s' is not an http:// or https:// URL", v);
		return -1;
	}
	if (strpbrk(v, " \t\r\n") != NULL) {
		snprintf(err, errlen, "endpoint URL holds white space");
		return -1;
	}
	snprintf(out, outlen, "%s", v);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	return 0;
}
