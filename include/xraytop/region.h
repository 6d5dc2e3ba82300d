/* region.h - which AWS region to talk to, and the X-Ray endpoint there.
 *
 * The region, in order: the one given (--region), AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region in the config file, and on EC2
 * the instance identity document (IMDSv2; not when
 * AWS_EC2_METADATA_DISABLED=true).  The endpoint: the one given
 * (--endpoint-url), AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL, the profile's
 * endpoint_url, else https://xray.REGION.amazonaws.com (amazonaws.com.cn for
 * cn-* regions).
 */
#ifndef XRAYTOP_REGION_H
#define XRAYTOP_REGION_H

#include <stddef.h>

/* Nonzero when s looks like a region name (lower-case letters, digits and
 * dashes, 1-32 characters): it goes into URLs and the signing scope. */
int region_valid(const char *s);

/* Resolve the region.  Returns 0 with the name in out and where it came
 * from in source ("--region", "AWS_REGION", "profile dev", "EC2 instance
 * identity document"), or -1 with what was tried in err. */
int region_resolve(const char *given, const char *profile, char *out, size_t outlen,
    char *source, size_t srclen, char *err, size_t errlen);

/* The X-Ray endpoint URL (no trailing slash).  Returns 0, or -1 when a
 * given URL is not http(s). */
int region_endpoint(const char *given, const char *profile, const char *region,
    char *out, size_t outlen, char *err, size_t errlen);

#endif
